//! Error types: what the store reports, and what an HTTP handler answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kith_protocol::sync::{ErrorBody, ErrorKind};

/// A failure of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The push's first counter leaves a gap after what the server holds.
    #[error("counter gap: expected counter {expected}")]
    CounterGap { expected: u64 },
    /// A sign-in with a node another account's live device holds.
    #[error("{0}")]
    NodeTaken(String),
    /// A retried push whose changes differ from those held under its counters.
    #[error("{0}")]
    NodeConflict(String),
    /// A pull or snapshot position this server no longer holds: past the newest
    /// change, or naming another change (see `ErrorKind::ServerBehind`).
    #[error("{0}")]
    Behind(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Stored data that does not parse: a bug or a hand-edited database.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
}

/// An HTTP error response: a status and an [`ErrorBody`].
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            status: status_of(kind),
            body: ErrorBody::new(kind, message),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

/// The status each kind is answered with.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::InvalidChange | ErrorKind::HashMismatch => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::ClockSkew
        | ErrorKind::CounterGap
        | ErrorKind::OffsetMismatch
        | ErrorKind::NodeConflict
        | ErrorKind::ServerBehind => StatusCode::CONFLICT,
        ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::CounterGap { expected } => {
                let mut err = ApiError::new(ErrorKind::CounterGap, e.to_string());
                err.body.expected_counter = Some(expected);
                err
            }
            StoreError::NotFound(_) => ApiError::new(ErrorKind::NotFound, e.to_string()),
            StoreError::NodeTaken(m) => {
                ApiError::new(ErrorKind::Forbidden, m).with_status(StatusCode::CONFLICT)
            }
            StoreError::NodeConflict(m) => ApiError::new(ErrorKind::NodeConflict, m),
            StoreError::Behind(m) => ApiError::new(ErrorKind::ServerBehind, m),
            StoreError::BadRequest(_) | StoreError::Conflict(_) => {
                ApiError::new(ErrorKind::BadRequest, e.to_string())
            }
            other => {
                // The details stay in the log: they may name tables or paths.
                tracing::error!(error = %other, "store failure");
                ApiError::new(ErrorKind::Internal, "internal error")
            }
        }
    }
}

impl From<crate::blobs::BlobError> for ApiError {
    fn from(e: crate::blobs::BlobError) -> Self {
        tracing::error!(error = %e, "blob store failure");
        ApiError::new(ErrorKind::Internal, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
