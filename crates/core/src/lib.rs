//! kith-core: Kith's model, local store, services and search. No Tauri in here.

pub mod activity;
pub mod demo;
pub mod error;
pub mod export;
pub mod fields;
pub mod files;
pub mod ids;
pub mod import;
pub mod notes;
pub mod schema;
pub mod search;
pub mod settings;
pub mod sqlite_memory;
pub mod staff;
pub mod store;
pub mod sync;
pub mod tasks;
pub mod text;
pub mod users;
pub mod validate;
pub mod workspace;

pub mod kith;

pub use error::{CoreError, ErrorKind, Result};
pub use kith::Kith;
pub use kith_protocol as protocol;
pub use store::Store;
