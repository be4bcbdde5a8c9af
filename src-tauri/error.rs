//! The error every command returns, serialized as `{ kind, message, field }` so the
//! UI can show the message under the right input.

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

pub type CmdResult<T> = Result<T, KithError>;
