//! Relationship notes: a timestamped, tagged, searchable log on each user of
//! calls, meetings and decisions. Edits keep the text they replace as versions.

pub mod model;
mod read;
mod search;
mod service;

pub use model::*;
pub use service::Notes;
