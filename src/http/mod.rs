//! The HTTP core shared by every vendor: OAuth token cache, retry policy,
//! client-side pacing and the counters that end up in the summary.
//!
//! One [`ApiClient`] serves all workers of a run. For each request it
//!
//! - waits while the whole client is paused (a 429's `Retry-After`, or a
//!   pause the vendor's [`ApiHints`] read from an earlier answer) and for a
//!   slot of the shared GCRA pacer ([`ClientConfig::rate_per_minute`]);
//! - then takes a token that is valid *now* from the single-flight cache,
//!   which refreshes ahead of expiry (see [`token::refresh_margin`]), and
//!   signs this attempt with it: retries are always re-signed;
//! - on 401 drops that token generation, fetches one new token for all
//!   workers and retries once; on 429/5xx/transport failures waits and
//!   retries within [`RetryPolicy`]'s budget; on 403 fails naming the
//!   permission. Token refreshes and storage calls go through the same
//!   driver ([`retry::run`]) and status table.
//!
//! Vendors plug in their grant through [`TokenSource`] and their reading of
//! answers through [`ApiHints`]; [`request_token`] does the common form
//! POST. No token or secret ever reaches a log line,
//! an error message or `Debug` output ([`crate::Secret`]).

mod body;
pub mod body_pool;
mod client;
mod hints;
mod redact;
pub mod retry;
mod stats;
pub mod token;

pub(crate) use body::{read_limited, SMALL_BODY_LIMIT};
pub use client::{vendor_message, ApiClient, ApiRequest, ApiResponse, ClientConfig};
pub use hints::{ApiHints, MissingPermission, PlainHttp};
pub use redact::{Redactor, REDACTED};
pub use retry::RetryPolicy;
pub use stats::HttpStats;
pub use token::{parse_token_response, request_token, Token, TokenSource};

/// Why a request to a vendor failed for good.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    /// The token endpoint refused our credentials (bad client id/secret), or
    /// the API refused a token right after it was refreshed. Never retried.
    #[error("{url} refused the credentials (HTTP {status}): {detail}")]
    TokenRejected {
        /// Token endpoint (or API) URL, without query string or user info.
        url: String,
        /// HTTP status returned.
        status: u16,
        /// The vendor's `error`/`error_description`, if any.
        detail: String,
    },
    /// HTTP 403: the credentials lack a permission. Never retried.
    #[error("{method} {path} was refused (HTTP 403): {message}; grant the OAuth client the permission `{permission}`")]
    Forbidden {
        method: String,
        /// Request path (no query string).
        path: String,
        /// The permission the endpoint needs (from the vendor's message when it names one).
        permission: String,
        /// The vendor's message.
        message: String,
    },
    /// The retry driver gave up: its attempt or time budget ran out on
    /// 429/5xx/timeouts/resets. Only the driver produces this.
    #[error("{method} {path} failed after {attempts} attempts over {elapsed_s:.1}s: {last}")]
    RetriesExhausted {
        method: String,
        path: String,
        /// Attempts made.
        attempts: u32,
        /// Seconds spent.
        elapsed_s: f64,
        /// The last failure seen.
        last: String,
    },
    /// One attempt failed in transit: connection, timeout, reset, a body cut
    /// short. Retried callers see [`HttpError::RetriesExhausted`] instead.
    #[error("{method} {path} failed: {detail}")]
    Transport {
        method: String,
        path: String,
        /// What failed, without the URL's query string.
        detail: String,
    },
    /// A non-retryable, unexpected status (400, 404, …) that the caller may handle.
    #[error("{method} {path} returned HTTP {status}: {message}")]
    Status {
        method: String,
        path: String,
        status: u16,
        /// The vendor's message or the start of the body.
        message: String,
    },
    /// The server answered 3xx. Redirects are never followed: the request
    /// carries credentials (bearer, Basic, form secrets) that belong to the
    /// origin they were configured or discovered for, and a redirect may
    /// point anywhere, plain http included. A moved endpoint is a setting to
    /// fix, not something to retry. Never retried.
    #[error("{from} answered HTTP {status} redirecting to {to}; cxetl does not follow redirects, so credentials only go to the configured origin: if that location is genuine, set {setting} to it")]
    Redirected {
        /// The requested URL, without query string or user info.
        from: String,
        status: u16,
        /// The `Location`, resolved against `from`, without query string or user info.
        to: String,
        /// The setting that names the endpoint (`GENESYS_API_URL`, …).
        setting: &'static str,
    },
    /// The client could not be built from the settings (bad URL, TLS setup).
    #[error("{0}")]
    Config(String),
}

/// A transport failure in a few words, without the URL's query string.
pub(crate) fn describe_reqwest_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "response body incomplete"
    } else if e.is_request() {
        "request failed"
    } else {
        "transport error"
    };
    let mut text = kind.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Where a 3xx answer to `from` points, for [`HttpError::Redirected`]:
/// resolved against `from`, without query string or user info.
pub(crate) fn redirect_target(from: &url::Url, headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|loc| from.join(loc).ok())
        .map_or_else(
            || "an unreadable Location".into(),
            |u| url_without_query(&u),
        )
}

/// `url` without query, fragment or user info, for error messages.
pub(crate) fn url_without_query(url: &url::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}
