//! The one error type of kith-core. Callers map `kind()` onto their own surface
//! (an IPC error object, a CLI exit message).

use kith_protocol::HlcError;

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
}

impl CoreError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        CoreError::NotFound { what: what.into() }
    }

    /// A short stable name for the error's category.
    pub fn kind(&self) -> &'static str {
        match self {
            CoreError::Validation { .. } => "validation",
            CoreError::NotFound { .. } => "not_found",
            CoreError::Schema(_) => "invalid_input",
            CoreError::Storage(_) | CoreError::Migrate(_) | CoreError::Io(_) => "storage",
            CoreError::Clock(_) | CoreError::Corrupt(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            CoreError::Validation { field, .. } => Some(field),
            _ => None,
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
