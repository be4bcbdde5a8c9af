//! CSV import: reading the files small businesses actually have (any common
//! encoding, delimiter and export layout) and mapping their columns to user fields.

pub mod mapping;
pub mod preview;
pub mod report;
pub mod row;
pub mod run;
pub mod saved;
pub mod source;

/// What can go wrong before a single row is read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path} is a folder — choose a CSV file inside it")]
    Folder { path: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty")]
    Empty { path: String },
    #[error("{path} does not look like a CSV file: {reason}")]
    NotCsv { path: String, reason: String },
    #[error("row {row}: {message}")]
    Csv { row: u64, message: String },
}
