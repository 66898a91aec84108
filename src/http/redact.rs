//! Scrubbing the run's secrets out of vendor text.
//!
//! A vendor's error answer is the one text cxetl shows that it did not write
//! itself, and a hostile or careless server can echo what it was sent: the
//! bearer token, the Basic header, the form's password. [`Redactor`] knows
//! every secret of the run in every form it travels in, and every piece of
//! vendor text passes through [`Redactor::scrub`] before it becomes an error
//! message or a log field.

use super::HttpError;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use std::fmt;
use std::sync::RwLock;

/// Shorter secrets are not scrubbed: replacing every `ab` of every message
/// would make errors unreadable while hiding nothing a guess would not find.
const MIN_SECRET_LEN: usize = 4;

/// What a scrubbed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The secrets of one run, each in every form it can appear in on the wire.
/// Shared by the [`super::ApiClient`] and its token cache; `Debug` prints
/// only how many forms it holds.
#[derive(Default)]
pub struct Redactor {
    /// Longest first, so a form that contains another is replaced whole.
    needles: RwLock<Vec<String>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms)", self.read().len())
    }
}

impl Redactor {
    /// Learns `secret` as sent raw, form-urlencoded, percent-encoded and
    /// JSON-escaped, and, for a JWT (or any dotted token), each of its parts.
    pub fn add(&self, secret: &str) {
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let percent = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"').to_string();
        let mut forms = vec![secret.to_string(), form, percent, json];
        if secret.contains('.') {
            forms.extend(secret.split('.').map(str::to_string));
        }
        self.learn(forms);
    }

    /// Learns the `Authorization: Basic` value for `user:password` (padded
    /// and unpadded base64), as well as `password` itself.
    pub fn add_basic(&self, user: &str, password: &str) {
        let pair = format!("{user}:{password}");
        self.learn([STANDARD.encode(&pair), STANDARD_NO_PAD.encode(&pair)]);
        self.add(password);
    }

    /// `text` with every known secret replaced by [`REDACTED`].
    pub fn scrub(&self, text: &str) -> String {
        let needles = self.read();
        let mut text = text.to_string();
        for needle in needles.iter() {
            if text.contains(needle.as_str()) {
                text = text.replace(needle.as_str(), REDACTED);
            }
        }
        text
    }

    fn learn(&self, forms: impl IntoIterator<Item = String>) {
        let mut needles = self.needles.write().unwrap_or_else(|e| e.into_inner());
        for form in forms {
            if form.chars().count() >= MIN_SECRET_LEN && !needles.contains(&form) {
                needles.push(form);
            }
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<String>> {
        self.needles.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl HttpError {
    /// The error with every text that can carry vendor words scrubbed by
    /// `redactor`: for errors built from a vendor's answer before the
    /// redactor could see it (token sources read their own answers).
    pub(crate) fn redacted(self, redactor: &Redactor) -> HttpError {
        let s = |text: String| redactor.scrub(&text);
        match self {
            HttpError::TokenRejected {
                url,
                status,
                detail,
            } => HttpError::TokenRejected {
                url: s(url),
                status,
                detail: s(detail),
            },
            HttpError::Forbidden {
                method,
                path,
                permission,
                message,
            } => HttpError::Forbidden {
                method,
                path: s(path),
                permission: s(permission),
                message: s(message),
            },
            HttpError::RetriesExhausted {
                method,
                path,
                attempts,
                elapsed_s,
                last,
            } => HttpError::RetriesExhausted {
                method,
                path: s(path),
                attempts,
                elapsed_s,
                last: s(last),
            },
            HttpError::Transport {
                method,
                path,
                detail,
            } => HttpError::Transport {
                method,
                path: s(path),
                detail: s(detail),
            },
            HttpError::Status {
                method,
                path,
                status,
                message,
            } => HttpError::Status {
                method,
                path: s(path),
                status,
                message: s(message),
            },
            HttpError::Redirected {
                from,
                status,
                to,
                setting,
            } => HttpError::Redirected {
                from: s(from),
                status,
                to: s(to),
                setting,
            },
            HttpError::Config(m) => HttpError::Config(s(m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_secret_is_scrubbed() {
        let r = Redactor::default();
        r.add("s3cr et+/=&\"x");
        let forms = [
            "s3cr et+/=&\"x",
            "s3cr+et%2B%2F%3D%26%22x",
            "s3cr%20et%2B%2F%3D%26%22x",
            "s3cr et+/=&\\\"x",
        ];
        for form in forms {
            assert_eq!(
                r.scrub(&format!("got <{form}>")),
                "got <[redacted]>",
                "{form}"
            );
        }
    }

    #[test]
    fn basic_headers_and_jwt_parts_are_scrubbed() {
        let r = Redactor::default();
        r.add_basic("client", "pass-word");
        let basic = STANDARD.encode("client:pass-word");
        assert_eq!(r.scrub(&format!("Basic {basic}")), "Basic [redacted]");
        assert_eq!(r.scrub("pass-word"), REDACTED);
        r.add("head.payload-part.signature");
        assert_eq!(
            r.scrub("only payload-part and signature leaked"),
            "only [redacted] and [redacted] leaked"
        );
    }

    #[test]
    fn short_secrets_are_left_alone_and_debug_hides_everything() {
        let r = Redactor::default();
        r.add("abc");
        r.add("");
        assert_eq!(r.scrub("abc abc"), "abc abc");
        r.add("longersecret");
        assert_eq!(format!("{r:?}"), "Redactor(1 forms)");
    }

    #[test]
    fn errors_are_scrubbed_field_by_field() {
        let r = Redactor::default();
        r.add("tok-SECRET");
        let e = HttpError::TokenRejected {
            url: "https://x/auth".into(),
            status: 401,
            detail: "bad token tok-SECRET".into(),
        }
        .redacted(&r);
        assert_eq!(
            e.to_string(),
            "https://x/auth refused the credentials (HTTP 401): bad token [redacted]"
        );
    }
}
