//! What one failed attempt calls for, and the one table of HTTP statuses
//! worth retrying.

use super::retry_after;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// The meaning of one failed attempt, independent of how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Retrying cannot help: refused credentials or permission, a request
    /// the server will never serve (404, 501, …).
    Fatal,
    /// The credential was refused (HTTP 401): renew it and retry at once.
    /// A second refusal in a row is fatal.
    Reauth,
    /// The server asked to slow down (429, or a retryable status with
    /// `Retry-After`): wait what it asked, or back off when it did not say.
    Throttle {
        /// The server's `Retry-After`, uncapped.
        retry_after: Option<Duration>,
    },
    /// Worth another try after a jittered backoff (5xx, timeouts, resets).
    Transient,
}

/// Whether an HTTP status is worth retrying: 408, 429 and 5xx except
/// 501 Not Implemented, which the server will not implement between two
/// attempts.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502..=599)
}

/// The verdict on a non-2xx answer.
pub fn classify_status(status: u16, headers: &HeaderMap) -> Verdict {
    match status {
        401 => Verdict::Reauth,
        429 => Verdict::Throttle {
            retry_after: retry_after(headers),
        },
        s if retryable_status(s) => match retry_after(headers) {
            Some(d) => Verdict::Throttle {
                retry_after: Some(d),
            },
            None => Verdict::Transient,
        },
        _ => Verdict::Fatal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, RETRY_AFTER};

    fn verdict(status: u16, retry_after: Option<&'static str>) -> Verdict {
        let mut h = HeaderMap::new();
        if let Some(v) = retry_after {
            h.insert(RETRY_AFTER, HeaderValue::from_static(v));
        }
        classify_status(status, &h)
    }

    #[test]
    fn status_table() {
        let throttle = |s: u64| Verdict::Throttle {
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(verdict(501, None), Verdict::Fatal);
        assert_eq!(verdict(501, Some("2")), Verdict::Fatal);
        assert_eq!(verdict(503, None), Verdict::Transient);
        assert_eq!(verdict(503, Some("2")), throttle(2));
        assert_eq!(verdict(500, None), Verdict::Transient);
        assert_eq!(verdict(502, None), Verdict::Transient);
        assert_eq!(verdict(504, None), Verdict::Transient);
        assert_eq!(verdict(599, None), Verdict::Transient);
        assert_eq!(verdict(408, None), Verdict::Transient);
        assert_eq!(verdict(429, Some("3")), throttle(3));
        assert_eq!(verdict(429, None), Verdict::Throttle { retry_after: None });
        assert_eq!(verdict(401, None), Verdict::Reauth);
        for fatal in [400, 403, 404, 409, 422] {
            assert_eq!(verdict(fatal, Some("1")), Verdict::Fatal, "{fatal}");
        }
    }

    #[test]
    fn retryable_statuses() {
        let retried: Vec<u16> = (100..600).filter(|s| retryable_status(*s)).collect();
        let mut expected = vec![408, 429, 500];
        expected.extend(502..600);
        assert_eq!(retried, expected);
    }
}
