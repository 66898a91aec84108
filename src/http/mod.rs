//! The HTTP core shared by every vendor: OAuth token cache, retry policy,
//! client-side pacing and the counters that end up in the summary.
//!
//! INTERFACE PLACEHOLDER — being implemented (see module docs once filled in).

/// Why a request to a vendor failed for good.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    /// The token endpoint refused our credentials (bad client id/secret). Never retried.
    #[error("the token endpoint {url} refused the credentials (HTTP {status}): {detail}")]
    TokenRejected {
        /// Token endpoint URL (no secrets in it).
        url: String,
        /// HTTP status returned.
        status: u16,
        /// The vendor's `error`/`error_description`, if any.
        detail: String,
    },
    /// HTTP 403: the credentials lack a permission. Never retried.
    #[error("{method} {path} was refused (HTTP 403): {message}; grant the OAuth client the permission `{permission}`")]
    Forbidden {
        /// Request method.
        method: String,
        /// Request path (no query string).
        path: String,
        /// The permission the endpoint needs (from the vendor's message when it names one).
        permission: String,
        /// The vendor's message.
        message: String,
    },
    /// Retries were used up on 429/5xx/timeouts/resets.
    #[error("{method} {path} failed after {attempts} attempts over {elapsed_s:.1}s: {last}")]
    RetriesExhausted {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
        /// Attempts made.
        attempts: u32,
        /// Seconds spent.
        elapsed_s: f64,
        /// The last failure seen.
        last: String,
    },
    /// A non-retryable, unexpected status (400, 404, …) that the caller may handle.
    #[error("{method} {path} returned HTTP {status}: {message}")]
    Status {
        /// Request method.
        method: String,
        /// Request path.
        path: String,
        /// HTTP status.
        status: u16,
        /// The vendor's message or the start of the body.
        message: String,
    },
    /// The client could not be built from the settings (bad URL, TLS setup).
    #[error("{0}")]
    Config(String),
}
