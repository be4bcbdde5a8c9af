//! Users: the people a business serves, and everything on their Detail tab.

mod children;
pub mod model;
mod password;
pub(crate) mod read;
pub(crate) use read::read_named;
mod service;

pub(crate) use children::custom_value_edit;
pub use model::*;
pub use password::generate_password;
pub use service::{UserRecord, Users};
