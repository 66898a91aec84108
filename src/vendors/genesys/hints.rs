//! What Genesys Cloud's answers say beyond HTTP: the `inin-ratelimit-*`
//! window reported on every answer, and the permissions a 403 lists.

use crate::http::{vendor_message, ApiHints, MissingPermission};
use reqwest::header::HeaderMap;
use std::time::Duration;

/// [`ApiHints`] for Genesys Cloud.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenesysHints;

impl ApiHints for GenesysHints {
    fn pause_after(&self, headers: &HeaderMap) -> Option<Duration> {
        RateLimitHeaders::read(headers)?.pause_needed()
    }

    /// Genesys answers
    /// `{"code":"missing.any.permissions","message":"… assigned: [a:b:c, d:e:f]"}`;
    /// without such a list the endpoint's known permission is named.
    fn forbidden(&self, body: &[u8], fallback_permission: &str) -> MissingPermission {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let message = vendor_message(body);
        let code = v.get("code").and_then(|c| c.as_str()).unwrap_or("");
        let text = v.get("message").and_then(|m| m.as_str()).unwrap_or("");
        let named = if code.starts_with("missing.") || text.contains("permission") {
            text.rfind('[').and_then(|open| {
                let inside = &text[open + 1..];
                let list = &inside[..inside.find(']')?];
                let names: Vec<&str> = list
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                (!names.is_empty()).then(|| {
                    let joiner = if code == "missing.any.permissions" {
                        "` or `"
                    } else {
                        "` and `"
                    };
                    names.join(joiner)
                })
            })
        } else {
            None
        };
        MissingPermission {
            permission: named.unwrap_or_else(|| fallback_permission.to_string()),
            message,
        }
    }
}

/// `inin-ratelimit-allowed`, `-count` and `-reset` (seconds to the window's reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RateLimitHeaders {
    allowed: u64,
    count: u64,
    reset: Duration,
}

impl RateLimitHeaders {
    fn read(headers: &HeaderMap) -> Option<Self> {
        let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        Some(RateLimitHeaders {
            allowed: num("inin-ratelimit-allowed")?,
            count: num("inin-ratelimit-count")?,
            reset: Duration::from_secs(num("inin-ratelimit-reset").unwrap_or(1)),
        })
    }

    /// The pause until the window resets, when `count` is within 2 % (at
    /// least one request) of `allowed`.
    fn pause_needed(&self) -> Option<Duration> {
        if self.allowed == 0 {
            return None;
        }
        let headroom = (self.allowed / 50).max(1);
        (self.count + headroom >= self.allowed).then_some(self.reset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpError;
    use reqwest::header::HeaderValue;

    const GENESYS_403: &str = r#"{"status":403,"code":"missing.any.permissions","message":"Unable to perform the requested action. You must have at least one of the following permissions assigned: [analytics:conversationDetail:view, analytics:agentConversationDetail:view]"}"#;

    #[test]
    fn forbidden_names_the_permissions_from_genesys_body() {
        let MissingPermission {
            permission,
            message,
        } = GenesysHints.forbidden(GENESYS_403.as_bytes(), "fallback:perm");
        assert_eq!(
            permission,
            "analytics:conversationDetail:view` or `analytics:agentConversationDetail:view"
        );
        assert!(message.contains("Unable to perform the requested action"));
        assert!(message.contains("missing.any.permissions"));
        let err = HttpError::Forbidden {
            method: "POST".into(),
            path: "/api/v2/analytics/conversations/details/query".into(),
            permission,
            message,
        };
        let text = err.to_string();
        assert!(
            text.contains(
                "`analytics:conversationDetail:view` or `analytics:agentConversationDetail:view`"
            ),
            "{text}"
        );
    }

    #[test]
    fn forbidden_single_permission_and_fallbacks() {
        let body = br#"{"status":403,"code":"missing.permissions","message":"You are missing the following permission(s): [telephony:plugin:all]"}"#;
        assert_eq!(
            GenesysHints.forbidden(body, "x").permission,
            "telephony:plugin:all"
        );
        let body = br#"{"status":403,"code":"not.authorized","message":"You are not authorized to perform the requested action."}"#;
        let MissingPermission {
            permission: p,
            message: m,
        } = GenesysHints.forbidden(body, "analytics:conversationDetail:view");
        assert_eq!(p, "analytics:conversationDetail:view");
        assert!(m.starts_with("You are not authorized"));
        let MissingPermission {
            permission: p,
            message: m,
        } = GenesysHints.forbidden(b"", "routing:queue:view");
        assert_eq!(
            (p.as_str(), m.as_str()),
            ("routing:queue:view", "empty response body")
        );
        let m = GenesysHints
            .forbidden(
                br#"{"error":"forbidden","error_description":"role lacks Reporting"}"#,
                "p",
            )
            .message;
        assert_eq!(m, "role lacks Reporting");
    }

    #[test]
    fn rate_limit_headers_pause_near_the_limit() {
        let h = |count: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("inin-ratelimit-allowed", HeaderValue::from_static("300"));
            h.insert("inin-ratelimit-count", HeaderValue::from_static(count));
            h.insert("inin-ratelimit-reset", HeaderValue::from_static("38"));
            h
        };
        assert_eq!(GenesysHints.pause_after(&h("200")), None);
        assert_eq!(GenesysHints.pause_after(&h("293")), None);
        assert_eq!(
            GenesysHints.pause_after(&h("294")),
            Some(Duration::from_secs(38))
        );
        assert_eq!(
            GenesysHints.pause_after(&h("301")),
            Some(Duration::from_secs(38))
        );
        assert_eq!(GenesysHints.pause_after(&HeaderMap::new()), None);
        let small = RateLimitHeaders {
            allowed: 10,
            count: 9,
            reset: Duration::ZERO,
        };
        assert_eq!(small.pause_needed(), Some(Duration::ZERO));
        let unlimited = RateLimitHeaders {
            allowed: 0,
            count: 5,
            reset: Duration::from_secs(1),
        };
        assert_eq!(unlimited.pause_needed(), None);
    }
}
