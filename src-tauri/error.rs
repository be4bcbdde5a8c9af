//! The error every command returns, serialized as `{ kind, message, field }` so the
//! UI can show the message under the right input.

use kith_core::export::ExportError;
use kith_core::import::run::RunError;
use kith_core::import::ImportError;
use kith_core::{CoreError, ErrorKind};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct KithError {
    pub kind: ErrorKind,
    pub message: String,
    pub field: Option<String>,
}

impl From<CoreError> for KithError {
    fn from(e: CoreError) -> Self {
        if e.is_busy() {
            // Not a fault of this app: say who holds the data and that nothing changed.
            tracing::warn!(error = %e, "the database stayed busy past the timeout");
            return KithError::new(
                ErrorKind::Storage,
                "Another program is writing to Kith's data (an import from kith-cli, perhaps) \
                 and did not finish within 10 seconds. Nothing was changed here: try again \
                 when it is done."
                    .into(),
            );
        }
        let kind = e.kind();
        if matches!(kind, ErrorKind::Storage | ErrorKind::Internal) {
            tracing::error!(error = %e, "command failed");
        }
        KithError {
            kind,
            field: e.field().map(str::to_owned),
            message: e.to_string(),
        }
    }
}

impl KithError {
    pub fn new(kind: ErrorKind, message: String) -> Self {
        KithError {
            kind,
            message,
            field: None,
        }
    }

    /// A failure of the app itself (a task that panicked), logged in full.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "command failed");
        KithError::new(ErrorKind::Internal, e.to_string())
    }
}

impl From<ImportError> for KithError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Io { .. } | ImportError::PhotoStore { .. } => {
                KithError::new(ErrorKind::Storage, e.to_string())
            }
            // Every other source problem is about the file the person chose.
            _ => KithError {
                kind: ErrorKind::Validation,
                field: Some("file".into()),
                message: e.to_string(),
            },
        }
    }
}

impl From<RunError> for KithError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Source(e) => e.into(),
            RunError::Core(e) => e.into(),
            RunError::Cancelled => KithError::new(ErrorKind::Cancelled, e.to_string()),
            RunError::Mapping { .. } => KithError::new(ErrorKind::InvalidInput, e.to_string()),
            RunError::NoBatch(_) => KithError::new(ErrorKind::NotFound, e.to_string()),
            RunError::AlreadyUndone(_) => KithError::new(ErrorKind::Validation, e.to_string()),
        }
    }
}

impl From<ExportError> for KithError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Core(e) => e.into(),
            ExportError::Cancelled => KithError::new(ErrorKind::Cancelled, e.to_string()),
            ExportError::Io(_) | ExportError::Csv(_) => {
                KithError::new(ErrorKind::Storage, e.to_string())
            }
        }
    }
}

pub type CmdResult<T> = Result<T, KithError>;
