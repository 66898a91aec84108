//! What a vendor's answers say beyond plain HTTP. The core reads them only
//! through [`ApiHints`], so it names no vendor and no vendor header.

use super::vendor_message;
use reqwest::header::HeaderMap;
use std::time::Duration;

/// The permission a refused (HTTP 403) request lacks, as far as the answer
/// tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPermission {
    /// The permission (or the alternatives, joined for the error message)
    /// to grant the OAuth client.
    pub permission: String,
    pub message: String,
}

/// A vendor's reading of its own answers, passed to [`super::ApiClient::new`].
pub trait ApiHints: Send + Sync + 'static {
    /// How long every worker should hold back after an answer with
    /// `headers`, for vendors that report their rate-limit window on every
    /// answer: stopping short of the limit costs one short pause, running
    /// into it a 429 for every worker. The client bounds the pause like a
    /// `Retry-After`.
    fn pause_after(&self, _headers: &HeaderMap) -> Option<Duration> {
        None
    }

    /// Reads a 403 `body`. Without a vendor-specific reading, the endpoint's
    /// known `fallback_permission` is named.
    fn forbidden(&self, body: &[u8], fallback_permission: &str) -> MissingPermission {
        MissingPermission {
            permission: fallback_permission.to_string(),
            message: vendor_message(body),
        }
    }
}

/// Hints of a vendor whose answers carry nothing beyond plain HTTP.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainHttp;

impl ApiHints for PlainHttp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_names_the_fallback_permission() {
        let refused = PlainHttp.forbidden(
            br#"{"error":"forbidden","error_description":"role lacks Reporting"}"#,
            "reporting:view",
        );
        assert_eq!(
            refused,
            MissingPermission {
                permission: "reporting:view".into(),
                message: "role lacks Reporting".into(),
            }
        );
        assert_eq!(PlainHttp.forbidden(b"", "p").message, "empty response body");
        assert_eq!(PlainHttp.pause_after(&HeaderMap::new()), None);
    }
}
