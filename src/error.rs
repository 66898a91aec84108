//! The library's error type. Each variant is one user-visible failure class;
//! `main` maps them to the contract's exit codes in exactly one place.

use crate::http::HttpError;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags, environment or config file (exit 2). The message says how to fix it.
    #[error("configuration error: {0}")]
    Config(String),
    /// The vendor rejected our credentials (exit 3).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The credentials lack a permission (exit 4); the message names it.
    #[error("permission denied: {0}")]
    Permission(String),
    /// The vendor kept failing after every retry (exit 5).
    #[error("upstream unavailable: {0}")]
    Upstream(String),
    /// Output could not be written or published (exit 6).
    #[error("output storage error: {0}")]
    Storage(String),
    /// More records were quarantined than `--max-bad-records` allows (exit 7).
    #[error("{count} records quarantined, above --max-bad-records {limit}")]
    TooManyBadRecords {
        /// Records quarantined by the run.
        count: u64,
        /// The configured limit.
        limit: u64,
    },
    /// SIGTERM or SIGINT stopped the run (exit 128 + the signal's number,
    /// as a shell reports a process killed by it: 143, 130).
    #[error("terminated by signal {name}")]
    Interrupted {
        /// `SIGTERM` or `SIGINT`.
        name: &'static str,
        /// The signal's number.
        number: u8,
    },
    /// A bug or an unexpected state (exit 1).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::TokenRejected { .. } => Error::Auth(e.to_string()),
            HttpError::Forbidden { .. } => Error::Permission(e.to_string()),
            HttpError::Config(m) => Error::Config(m),
            // A moved or hostile endpoint: the fix is a setting (the message names it).
            HttpError::Redirected { .. } => Error::Config(e.to_string()),
            HttpError::RetriesExhausted { .. }
            | HttpError::Transport { .. }
            | HttpError::Status { .. } => Error::Upstream(e.to_string()),
        }
    }
}

impl From<object_store::Error> for Error {
    fn from(e: object_store::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

impl From<parquet::errors::ParquetError> for Error {
    fn from(e: parquet::errors::ParquetError) -> Self {
        Error::Storage(format!("parquet: {e}"))
    }
}
