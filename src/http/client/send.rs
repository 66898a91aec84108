//! How [`ApiClient::send`] reads a failed attempt: its verdict, what it
//! counts and whom it holds back, and the error it finally becomes.

use super::{vendor_message, ApiClient, ApiRequest, ApiResponse};
use crate::http::retry::{classify_status, retryable_status, GaveUp, RetryLogic, Verdict};
use crate::http::stats::Counters;
use crate::http::{redirect_target, url_without_query, HttpError, MissingPermission, Redactor};
use std::fmt;
use std::time::Duration;

/// One failed attempt, kept whole so that both the verdict and the final
/// error can be read from it.
#[derive(Debug)]
pub(super) enum Failure {
    /// A non-2xx answer to a request signed with token `generation`.
    Answer {
        response: Box<ApiResponse>,
        generation: u64,
    },
    /// The request or its body failed in transit.
    Transport(String),
    /// No token could be had; the token cache has retried already.
    Token(HttpError),
}

impl Failure {
    /// `Ok` for a 2xx answer, the failure otherwise. A failure's body is
    /// scrubbed by `redactor` right here, before anything reads it: the
    /// messages, hints and logs made from it never see a secret it echoed.
    pub(super) fn unless_success(
        mut response: ApiResponse,
        generation: u64,
        redactor: &Redactor,
    ) -> Result<ApiResponse, Failure> {
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        let scrubbed = redactor.scrub(&String::from_utf8_lossy(&response.body));
        response.body = scrubbed.into();
        Err(Failure::Answer {
            response: Box::new(response),
            generation,
        })
    }

    fn status(&self) -> u16 {
        match self {
            Failure::Answer { response, .. } => response.status,
            Failure::Transport(_) | Failure::Token(_) => 0,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Answer { response, .. } => write!(
                f,
                "HTTP {}: {}",
                response.status,
                vendor_message(&response.body)
            ),
            Failure::Transport(detail) => f.write_str(detail),
            Failure::Token(e) => e.fmt(f),
        }
    }
}

/// The retry logic of one [`ApiClient::send`] call.
pub(super) struct SendLogic<'a> {
    client: &'a ApiClient,
    req: &'a ApiRequest,
}

impl<'a> SendLogic<'a> {
    pub(super) fn new(client: &'a ApiClient, req: &'a ApiRequest) -> Self {
        SendLogic { client, req }
    }

    fn method(&self) -> &str {
        self.req.method.as_str()
    }

    fn path(&self) -> &str {
        self.req.url.path()
    }

    pub(super) fn final_error(&self, gave_up: GaveUp<Failure>) -> HttpError {
        match gave_up {
            GaveUp::Fatal(failure) => self.fatal(failure),
            GaveUp::Exhausted {
                attempts,
                elapsed,
                last,
            } => {
                tracing::warn!(
                    method = self.method(),
                    path = self.path(),
                    attempt = attempts,
                    elapsed_s = elapsed.as_secs_f64(),
                    reason = %last,
                    "giving up on the request"
                );
                HttpError::RetriesExhausted {
                    method: self.method().to_string(),
                    path: self.path().to_string(),
                    attempts,
                    elapsed_s: elapsed.as_secs_f64(),
                    last: last.to_string(),
                }
            }
        }
    }

    fn fatal(&self, failure: Failure) -> HttpError {
        let (method, path) = (self.method().to_string(), self.path().to_string());
        let response = match failure {
            Failure::Token(e) => return e,
            Failure::Transport(detail) => {
                return HttpError::Transport {
                    method,
                    path,
                    detail,
                }
            }
            Failure::Answer { response, .. } => response,
        };
        match response.status {
            status @ 300..=399 => HttpError::Redirected {
                from: url_without_query(&self.req.url),
                status,
                to: (self.client.inner.redactor)
                    .scrub(&redirect_target(&self.req.url, &response.headers)),
                setting: self.client.inner.config.api_url_setting,
            },
            // Only a second 401 in a row is fatal.
            401 => HttpError::TokenRejected {
                url: url_without_query(&self.req.url),
                status: 401,
                detail: format!(
                    "the API refused an access token right after refresh ({}); \
                     check that the OAuth client is active and allowed to call this API",
                    vendor_message(&response.body)
                ),
            },
            403 => {
                let MissingPermission {
                    permission,
                    message,
                } = (self.client.inner.hints).forbidden(&response.body, self.req.permission);
                HttpError::Forbidden {
                    method,
                    path,
                    permission,
                    message,
                }
            }
            status => HttpError::Status {
                method,
                path,
                status,
                message: vendor_message(&response.body),
            },
        }
    }
}

impl RetryLogic for SendLogic<'_> {
    type Error = Failure;

    fn classify(&self, failure: &Failure) -> Verdict {
        match failure {
            Failure::Answer { response, .. } => classify_status(response.status, &response.headers),
            Failure::Transport(_) => Verdict::Transient,
            Failure::Token(_) => Verdict::Fatal,
        }
    }

    fn on_failure(&self, failure: &Failure, verdict: Verdict) {
        let counters = &self.client.inner.counters;
        let counter = match failure {
            Failure::Answer { response, .. } => match response.status {
                401 => Some(&counters.unauthorized),
                429 => Some(&counters.throttled),
                s if retryable_status(s) => Some(&counters.server_errors),
                _ => None,
            },
            Failure::Transport(_) => Some(&counters.server_errors),
            Failure::Token(_) => None,
        };
        if let Some(counter) = counter {
            Counters::bump(counter);
        }
        if let (Verdict::Reauth, Failure::Answer { generation, .. }) = (verdict, failure) {
            let dropped = self.client.inner.tokens.invalidate(*generation);
            tracing::info!(
                method = self.method(),
                path = self.path(),
                generation,
                dropped,
                "HTTP 401: refreshing the access token and retrying once"
            );
        }
    }

    fn on_retry(
        &self,
        failure: &Failure,
        verdict: Verdict,
        attempt: u32,
        wait: Duration,
    ) -> Duration {
        Counters::bump(&self.client.inner.counters.retries);
        let (method, path) = (self.method(), self.path());
        match verdict {
            Verdict::Throttle { retry_after } => {
                let status = failure.status();
                self.client.pause_all(wait, status, &failure.to_string());
                tracing::warn!(
                    method,
                    path,
                    status,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    retry_after_s = retry_after.map(|d| d.as_secs_f64()),
                    "throttled by the API; pausing all requests"
                );
                // Waited out in `wait_for_turn`, together with every other worker.
                Duration::ZERO
            }
            Verdict::Transient => {
                tracing::info!(method, path, attempt, wait_ms = wait.as_millis() as u64, reason = %failure, "transient failure, backing off");
                wait
            }
            Verdict::Reauth | Verdict::Fatal => wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::client::tests::{resp, Fixed};
    use crate::http::client::ClientConfig;
    use crate::http::PlainHttp;
    use std::sync::Arc;
    use url::Url;

    fn client() -> ApiClient {
        ApiClient::new(
            ClientConfig::default(),
            Arc::new(Fixed),
            Arc::new(PlainHttp),
        )
        .unwrap()
    }

    fn req() -> ApiRequest {
        ApiRequest::get(
            Url::parse("https://api.example.com/api/v2/x?a=1").unwrap(),
            "p:q:r",
        )
    }

    fn answer(
        status: u16,
        headers: &[(&'static str, &'static str)],
        body: &'static str,
    ) -> Failure {
        Failure::unless_success(resp(status, headers, body), 1, &Redactor::default()).unwrap_err()
    }

    /// The verdict, and the error the failure becomes when it is final.
    fn read(failure: Failure) -> (Verdict, HttpError) {
        let (client, req) = (client(), req());
        let logic = SendLogic::new(&client, &req);
        (logic.classify(&failure), logic.fatal(failure))
    }

    #[test]
    fn success_is_not_a_failure() {
        for status in [200, 202, 204] {
            assert!(
                Failure::unless_success(resp(status, &[], ""), 1, &Redactor::default()).is_ok()
            );
        }
    }

    #[test]
    fn verdicts_and_final_errors() {
        let (v, e) = read(answer(401, &[], r#"{"message":"expired"}"#));
        assert_eq!(v, Verdict::Reauth);
        assert!(
            matches!(e, HttpError::TokenRejected { status: 401, ref url, .. } if url == "https://api.example.com/api/v2/x"),
            "{e}"
        );
        let (v, e) = read(answer(403, &[], r#"{"message":"no"}"#));
        assert_eq!(v, Verdict::Fatal);
        assert!(
            matches!(e, HttpError::Forbidden { ref permission, ref message, .. } if permission == "p:q:r" && message == "no"),
            "{e}"
        );
        assert_eq!(
            read(answer(429, &[("retry-after", "3")], "{}")).0,
            Verdict::Throttle {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(
            read(answer(429, &[], "{}")).0,
            Verdict::Throttle { retry_after: None }
        );
        assert_eq!(read(answer(503, &[], "{}")).0, Verdict::Transient);
        let (v, e) = read(answer(501, &[], "{}"));
        assert_eq!(v, Verdict::Fatal);
        assert!(matches!(e, HttpError::Status { status: 501, .. }), "{e}");
        match read(answer(
            404,
            &[],
            r#"{"status":404,"code":"not.found","message":"gone"}"#,
        )) {
            (
                Verdict::Fatal,
                HttpError::Status {
                    status,
                    path,
                    message,
                    ..
                },
            ) => assert_eq!(
                (status, path.as_str(), message.as_str()),
                (404, "/api/v2/x", "gone (not.found)")
            ),
            other => panic!("404 must fail without retry: {other:?}"),
        }
        let (v, e) = read(Failure::Transport("timed out".into()));
        assert_eq!(v, Verdict::Transient);
        assert!(matches!(e, HttpError::Transport { ref detail, .. } if detail == "timed out"));
        let (v, _) = read(Failure::Token(HttpError::Config("x".into())));
        assert_eq!(v, Verdict::Fatal);
    }

    #[test]
    fn exhaustion_names_the_last_failure() {
        let (client, req) = (client(), req());
        let err = SendLogic::new(&client, &req).final_error(GaveUp::Exhausted {
            attempts: 4,
            elapsed: Duration::from_secs(2),
            last: answer(503, &[], r#"{"message":"busy"}"#),
        });
        assert_eq!(
            err.to_string(),
            "GET /api/v2/x failed after 4 attempts over 2.0s: HTTP 503: busy"
        );
    }

    #[test]
    fn failures_are_counted_by_what_was_seen() {
        let (client, req) = (client(), req());
        let logic = SendLogic::new(&client, &req);
        for failure in [
            answer(401, &[], ""),
            answer(429, &[], ""),
            answer(503, &[("retry-after", "1")], ""),
            answer(408, &[], ""),
            answer(404, &[], ""),
            answer(501, &[], ""),
            Failure::Transport("reset".into()),
        ] {
            let verdict = logic.classify(&failure);
            logic.on_failure(&failure, verdict);
        }
        let stats = client.stats();
        assert_eq!(
            (stats.unauthorized, stats.throttled, stats.server_errors),
            (1, 1, 3)
        );
        assert_eq!((stats.retries, stats.requests), (0, 0));
    }
}
