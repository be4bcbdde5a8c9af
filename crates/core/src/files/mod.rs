//! Files attached to users: the bytes in a content-addressed blob store beside
//! the database, a synced `attachments` row per attachment (name, type, size,
//! hash), and a trigram index over the names for the Files view.

pub(crate) mod blobs;
mod images;
pub mod model;
mod read;
mod search;
mod service;

pub(crate) use images::user_image_edit;
pub(crate) use service::{discard_unnamed, NewAttachment};

pub use blobs::{check_source, is_sha256, BlobStore, FileError, StoredBlob, BLOBS_DIR};
pub use images::{ImageRole, UserImages};
pub use model::*;
pub use service::Files;
