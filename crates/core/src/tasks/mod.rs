//! Tasks on users, and the statuses and categories the team files them under.
//!
//! A task is done when it has `completed_at`: completing it (or moving it to a
//! status that counts as done) sets both the status and `completed_at` in one
//! edit, so the two never disagree after a merge.

mod dates;
mod lists;
pub mod model;
mod query;
mod service;

pub use dates::{due_moment, parse_moment, DEFAULT_DUE_TIME};
pub use lists::{DEFAULT_CATEGORIES, DEFAULT_STATUSES};
pub use model::*;
pub use query::VIEW_LIMIT;
pub use service::{Tasks, MAX_TITLE};
