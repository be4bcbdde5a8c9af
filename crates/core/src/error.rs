//! The one error type of kith-core. Callers map `kind()` onto their own surface
//! (an IPC error object, a CLI exit message).

use kith_protocol::HlcError;
use serde::Serialize;
use ts_rs::TS;

/// The category of an error, as the UI and the CLI see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    /// Bad input from a person: shown next to the field.
    Validation,
    NotFound,
    /// Bad input from a program (a malformed change, an unknown column).
    InvalidInput,
    Storage,
    Internal,
    /// The person stopped a long operation; nothing was changed.
    Cancelled,
    /// A sync server cannot be reached; the work is kept and sent later.
    Network,
    /// Not signed in to a sync server, or the sign-in was refused or revoked.
    Unauthorized,
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input that breaks a rule of the model, named by the field it belongs to.
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("{what} not found")]
    NotFound { what: String },
    /// A change that names a table or column the schema registry does not list,
    /// or a value of the wrong type: refused before any SQL is built.
    #[error("change refused: {0}")]
    Schema(String),
    #[error("database error: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("clock error: {0}")]
    Clock(#[from] HlcError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// A file to attach or a copy to write: a folder, a missing or unreadable
    /// file, a full disk.
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// A value that does not fit its custom field. `field` is `custom:<field id>`,
    /// so the UI shows the message under that field's input.
    #[error("{source}")]
    CustomValue {
        field: String,
        #[source]
        source: crate::fields::ValueError,
    },
    /// Talking to a sync server failed; the message says why, for a person.
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
}

const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;

/// SQLite's primary result code of a refusal; extended codes carry it in their
/// low byte.
pub(crate) fn sqlite_code(e: &sqlx::Error) -> Option<i32> {
    let sqlx::Error::Database(db) = e else {
        return None;
    };
    db.code()?.parse::<i32>().ok().map(|code| code & 0xff)
}

/// [`CoreError::is_busy`] of a bare sqlx error.
pub(crate) fn sqlite_busy(e: &sqlx::Error) -> bool {
    matches!(sqlite_code(e), Some(SQLITE_BUSY | SQLITE_LOCKED))
}

impl From<kith_protocol::schema::SchemaError> for CoreError {
    fn from(e: kith_protocol::schema::SchemaError) -> Self {
        CoreError::Schema(e.0)
    }
}

impl CoreError {
    /// SQLite's primary result code (`SQLITE_NOTADB` = 26, `SQLITE_BUSY` = 5, …)
    /// when SQLite refused; extended codes carry it in their low byte.
    pub fn sqlite_code(&self) -> Option<i32> {
        match self {
            CoreError::Storage(e) => sqlite_code(e),
            _ => None,
        }
    }

    /// Another connection (another program: kith-cli importing, another copy
    /// of Kith) held the database's write lock past the busy timeout.
    pub fn is_busy(&self) -> bool {
        matches!(self, CoreError::Storage(e) if sqlite_busy(e))
    }

    /// The database holds migrations this build does not know: a newer Kith wrote it.
    pub fn written_by_newer_version(&self) -> bool {
        matches!(
            self,
            CoreError::Migrate(sqlx::migrate::MigrateError::VersionMissing(_))
        )
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        CoreError::NotFound { what: what.into() }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::Validation { .. } | CoreError::CustomValue { .. } => ErrorKind::Validation,
            CoreError::NotFound { .. } => ErrorKind::NotFound,
            CoreError::Schema(_) => ErrorKind::InvalidInput,
            CoreError::Storage(_) | CoreError::Migrate(_) | CoreError::Io(_) => ErrorKind::Storage,
            CoreError::Clock(_) | CoreError::Corrupt(_) => ErrorKind::Internal,
            CoreError::File(e) => e.kind(),
            CoreError::Sync(e) => crate::sync::error_kind(e),
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::Validation { field, .. } | CoreError::CustomValue { field, .. } => {
                Some(field)
            }
            // The file the person chose is what the message is about.
            CoreError::File(e) if e.kind() == ErrorKind::Validation => Some("path"),
            // What the sign-in form asks the person to confirm.
            CoreError::Sync(crate::sync::SyncError::Untrusted {
                unknown_authority: true,
                ..
            }) => Some("certificate"),
            _ => None,
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
