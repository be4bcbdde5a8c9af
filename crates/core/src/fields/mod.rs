//! Custom fields: the extra user fields a team defines — text, long text, number,
//! money, date, checkbox, single and multi select, URL, email and phone — with
//! their order, "required" flag, options and currency, and the rules that turn
//! what people type into each kind's stored form.
//!
//! "Required" is enforced where staff add or edit a user by hand (adding a user,
//! clearing a value); an import never fails on it, because the file usually
//! predates the field. Users left without a required value show it on their
//! Detail tab as missing.

pub(crate) mod catalog;
mod convert;
pub mod currency;
mod model;
pub mod number;
mod options;
mod service;
pub mod value;

pub use catalog::Catalog;
pub use model::*;
pub use options::option_id;
pub(crate) use service::check_name;
pub use service::Fields;
pub use value::ValueError;
