//! Request counters shared by every worker of a run; they end up in the
//! run summary (`"http": {...}`).

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the HTTP counters of one [`super::ApiClient`].
#[derive(Clone, Copy, Debug, Default, serde::Serialize, PartialEq, Eq)]
pub struct HttpStats {
    /// API requests sent (token requests not included), retries included.
    pub requests: u64,
    /// Requests to the token endpoint, retries included.
    pub token_requests: u64,
    /// Attempts that were repeated, for any reason.
    pub retries: u64,
    /// HTTP 429 answers.
    pub throttled: u64,
    /// 5xx answers and transport failures (timeouts, resets, truncated bodies).
    pub server_errors: u64,
    /// HTTP 401 answers to API requests.
    pub unauthorized: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) server_errors: AtomicU64,
    pub(crate) unauthorized: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> HttpStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        HttpStats {
            requests: get(&self.requests),
            token_requests: get(&self.token_requests),
            retries: get(&self.retries),
            throttled: get(&self.throttled),
            server_errors: get(&self.server_errors),
            unauthorized: get(&self.unauthorized),
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
