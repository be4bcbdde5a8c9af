//! Thin IPC adapters: parse input, call one kith-core service, map the error.
//! Arguments are snake_case on the JavaScript side too.

pub mod activity;
pub mod export;
pub mod fields;
pub mod files;
pub mod import;
pub mod links;
pub mod notes;
pub mod settings;
pub mod staff;
pub mod sync;
pub mod tasks;
pub mod users;
pub mod workspace;
