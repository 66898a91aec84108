//! [`ApiClient`]: one authenticated, paced, retrying client shared by every
//! worker of a run.

mod send;

use super::hints::ApiHints;
use super::retry::{self, RetryPolicy};
use super::stats::{Counters, HttpStats};
use super::token::{CachedToken, Token, TokenCache, TokenSource};
use super::{describe_reqwest_error, read_limited, HttpError, Redactor};
use bytes::Bytes;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use send::{Failure, SendLogic};
use std::fmt;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Settings of an [`ApiClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Whole-request timeout (connect, send, read the body).
    pub timeout: Duration,
    /// Connection-establishment timeout.
    pub connect_timeout: Duration,
    /// Client-side pacing of API requests, shared by all workers; 0 turns
    /// pacing off (simulators, tests). Token requests are not paced.
    pub rate_per_minute: u32,
    /// Retry limits per request.
    pub retry: RetryPolicy,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Largest API answer read (result pages are a few MB): a bigger one
    /// fails that attempt while it streams in, before it can take the
    /// process's memory, and is retried like a reset.
    pub max_body_bytes: u64,
    /// The setting that names the API endpoint, named when the API
    /// redirects ([`HttpError::Redirected`]).
    pub api_url_setting: &'static str,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            // The budget is a run setting with its default in `settings`.
            rate_per_minute: 0,
            retry: RetryPolicy::default(),
            user_agent: concat!("cxetl/", env!("CARGO_PKG_VERSION")).to_string(),
            max_body_bytes: 256 << 20,
            api_url_setting: "the API URL setting",
        }
    }
}

/// One API call, reusable across attempts (every attempt is re-signed).
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    /// Full URL, query included.
    pub url: Url,
    /// JSON body, sent with `Content-Type: application/json`.
    pub json_body: Option<Bytes>,
    /// The permission this endpoint needs, named on 403 when the vendor's
    /// answer does not name one.
    pub permission: &'static str,
}

impl ApiRequest {
    /// A `GET` without a body.
    pub fn get(url: Url, permission: &'static str) -> Self {
        ApiRequest {
            method: Method::GET,
            url,
            json_body: None,
            permission,
        }
    }

    /// A `POST` with a JSON body.
    pub fn post_json(url: Url, body: &serde_json::Value, permission: &'static str) -> Self {
        let body = Bytes::from(serde_json::to_vec(body).expect("a JSON value always serializes"));
        ApiRequest {
            method: Method::POST,
            url,
            json_body: Some(body),
            permission,
        }
    }

    /// A `DELETE` without a body.
    pub fn delete(url: Url, permission: &'static str) -> Self {
        ApiRequest {
            method: Method::DELETE,
            url,
            json_body: None,
            permission,
        }
    }
}

/// A successful (2xx) answer, body read in full.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// HTTP status (200, 202, 204, …).
    pub status: u16,
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

/// The shared HTTP client of one run: token cache, pacing, retries, counters.
/// Cloning is cheap and clones share everything.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: TokenCache,
    /// Every secret of the run; vendor text passes through it.
    redactor: Arc<Redactor>,
    hints: Arc<dyn ApiHints>,
    limiter: Option<DefaultDirectRateLimiter>,
    clock: DefaultClock,
    /// No API request leaves before this instant (429 / rate-limit headers).
    paused_until: Mutex<Option<Instant>>,
    counters: Counters,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("config", &self.inner.config)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// Builds the client; fails only on unusable settings. `hints` reads
    /// what the vendor's answers say beyond HTTP ([`PlainHttp`](crate::http::PlainHttp) when they
    /// say nothing more).
    pub fn new(
        config: ClientConfig,
        tokens: Arc<dyn TokenSource>,
        hints: Arc<dyn ApiHints>,
    ) -> Result<Self, HttpError> {
        if config.retry.max_attempts == 0 {
            return Err(HttpError::Config(
                "retry.max_attempts must be at least 1".into(),
            ));
        }
        let http = reqwest::Client::builder()
            // Redirects are answered with `HttpError::Redirected`, never
            // followed: the only way to be sure no credential (bearer,
            // Basic, a form's password) reaches another origin or goes out
            // over plain http. Vendors' APIs and token endpoints answer in
            // place; a 3xx means a moved or hostile endpoint, and both call
            // for a person to check the setting.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| HttpError::Config(format!("cannot build the HTTP client: {e}")))?;
        let limiter = NonZeroU32::new(config.rate_per_minute).map(|rate| {
            // A small burst lets a few workers start together without
            // front-loading a minute's budget into one second.
            let burst = NonZeroU32::new((rate.get() / 60).clamp(1, 10)).unwrap_or(NonZeroU32::MIN);
            DefaultDirectRateLimiter::direct(Quota::per_minute(rate).allow_burst(burst))
        });
        let redactor = Arc::new(Redactor::default());
        tokens.register_secrets(&redactor);
        Ok(ApiClient {
            inner: Arc::new(Inner {
                http,
                tokens: TokenCache::new(tokens, redactor.clone()),
                redactor,
                hints,
                limiter,
                clock: DefaultClock::default(),
                paused_until: Mutex::new(None),
                counters: Counters::default(),
                config,
            }),
        })
    }

    /// The raw client (same timeouts, no redirects) for unauthenticated
    /// calls such as discovery.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub fn stats(&self) -> HttpStats {
        self.inner.counters.snapshot()
    }

    /// A currently valid token (preflight, discovery).
    pub async fn token(&self) -> Result<Token, HttpError> {
        Ok(self.current_token().await?.token.clone())
    }

    async fn current_token(&self) -> Result<Arc<CachedToken>, HttpError> {
        let inner = &*self.inner;
        inner
            .tokens
            .get(&inner.http, &inner.config.retry, &inner.counters)
            .await
    }

    /// Sends `req` until it succeeds (2xx) or fails for good: 401 → one
    /// refresh and one retry; 429 → pause every worker for `Retry-After`;
    /// 5xx/timeouts/resets → jittered backoff within the retry budget;
    /// 403 → [`HttpError::Forbidden`]; other statuses → [`HttpError::Status`].
    pub async fn send(&self, req: &ApiRequest) -> Result<ApiResponse, HttpError> {
        let logic = SendLogic::new(self, req);
        retry::run(&self.inner.config.retry, &logic, || self.attempt(req))
            .await
            .map_err(|gave_up| logic.final_error(gave_up))
    }

    /// One attempt: waits for its turn, then signs with the token valid now.
    async fn attempt(&self, req: &ApiRequest) -> Result<ApiResponse, Failure> {
        self.wait_for_turn().await;
        // Taken after every wait, so a token never outlives a long
        // Retry-After pause: validity is checked right before signing.
        let token = self.current_token().await.map_err(Failure::Token)?;
        let response = self
            .exchange(req, &token.token)
            .await
            .map_err(Failure::Transport)?;
        self.observe_rate_limit(&response.headers);
        Failure::unless_success(response, token.generation, &self.inner.redactor)
    }

    /// One signed request; `Err` is a transport failure, described.
    async fn exchange(&self, req: &ApiRequest, token: &Token) -> Result<ApiResponse, String> {
        let inner = &*self.inner;
        Counters::bump(&inner.counters.requests);
        let mut builder = inner
            .http
            .request(req.method.clone(), req.url.clone())
            .bearer_auth(token.access_token.expose())
            .header(ACCEPT, "application/json");
        if let Some(body) = &req.json_body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| describe_reqwest_error(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // Inside the retry loop on purpose: a reset halfway through the body
        // (or one past the limit) is as transient as one before the status
        // line. Into one pooled buffer sized from `Content-Length`:
        // `Response::bytes` keeps every chunk and then copies them into a new
        // buffer, two copies of a 5 MB page alive at once, for every page.
        let body = read_limited(
            response,
            inner.config.max_body_bytes,
            "API result pages",
            |len| super::body_pool::BODIES.buffer(len),
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(ApiResponse {
            status,
            headers,
            body,
        })
    }

    /// Waits out a client-wide pause, then for a pacing slot.
    async fn wait_for_turn(&self) {
        let inner = &*self.inner;
        loop {
            let paused = *inner.paused_until.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(until) = paused.filter(|u| *u > Instant::now()) {
                tokio::time::sleep_until(until).await;
                continue;
            }
            if let Some(limiter) = &inner.limiter {
                if let Err(not_until) = limiter.check() {
                    let wait = not_until
                        .wait_time_from(inner.clock.now())
                        .max(Duration::from_millis(1));
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return;
        }
    }

    /// Holds every worker back for `wait` (never shortens an existing pause).
    fn pause_all(&self, wait: Duration, status: u16, reason: &str) -> bool {
        let until = Instant::now() + wait;
        let mut paused = self
            .inner
            .paused_until
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if paused.is_some_and(|p| p >= until) {
            return false;
        }
        *paused = Some(until);
        tracing::debug!(
            status,
            wait_ms = wait.as_millis() as u64,
            reason,
            "client paused"
        );
        true
    }

    /// Pauses every worker when the vendor's hints ask for it.
    fn observe_rate_limit(&self, headers: &HeaderMap) {
        let inner = &*self.inner;
        let Some(asked) = inner.hints.pause_after(headers) else {
            return;
        };
        let wait = inner.config.retry.bounded_pause(asked);
        if self.pause_all(wait, 0, "rate-limit window nearly used up") {
            tracing::info!(
                wait_ms = wait.as_millis() as u64,
                "vendor rate-limit window nearly used up; pausing until it resets"
            );
        }
    }
}

/// The vendor's error text: `message` (with its `code`), the OAuth
/// `error_description`/`error`, else the start of the body on one line.
pub fn vendor_message(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        for key in ["message", "error_description", "description", "error"] {
            if let Some(s) = v
                .get(key)
                .and_then(|s| s.as_str())
                .filter(|s| !s.trim().is_empty())
            {
                let code = v.get("code").and_then(|c| c.as_str());
                return match code {
                    Some(code) if key == "message" => format!("{} ({code})", s.trim()),
                    _ => s.trim().to_string(),
                };
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "empty response body".into(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::PlainHttp;
    use reqwest::header::HeaderValue;

    #[test]
    fn vendor_message_is_short_and_single_line() {
        let long = "x ".repeat(500);
        let m = vendor_message(long.as_bytes());
        assert!(m.chars().count() <= 201 && !m.contains('\n'));
        assert_eq!(
            vendor_message(b"<h1>Bad\n Gateway</h1>"),
            "<h1>Bad Gateway</h1>"
        );
    }

    pub(super) fn resp(
        status: u16,
        headers: &[(&'static str, &'static str)],
        body: &'static str,
    ) -> ApiResponse {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, HeaderValue::from_static(v));
        }
        ApiResponse {
            status,
            headers: h,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    pub(super) struct Fixed;
    impl TokenSource for Fixed {
        fn fetch<'a>(
            &'a self,
            _: &'a reqwest::Client,
        ) -> futures::future::BoxFuture<'a, Result<Token, HttpError>> {
            Box::pin(async {
                Ok(Token {
                    access_token: crate::Secret::new("tok-SECRET-123"),
                    expires_in: Duration::from_secs(60),
                    refresh_token: None,
                    id_token: None,
                })
            })
        }

        fn register_secrets(&self, _: &Redactor) {}
    }

    #[tokio::test]
    async fn pause_holds_back_every_worker_until_it_ends() {
        let client = ApiClient::new(
            ClientConfig {
                rate_per_minute: 0,
                ..Default::default()
            },
            Arc::new(Fixed),
            Arc::new(PlainHttp),
        )
        .unwrap();
        let t0 = Instant::now();
        assert!(client.pause_all(Duration::from_millis(300), 429, "test"));
        // A shorter pause never shortens the running one.
        assert!(!client.pause_all(Duration::from_millis(10), 429, "test"));
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let c = client.clone();
                tokio::spawn(async move {
                    c.wait_for_turn().await;
                    Instant::now()
                })
            })
            .collect();
        for w in workers {
            assert!(w.await.unwrap() - t0 >= Duration::from_millis(300));
        }
    }

    #[tokio::test]
    async fn config_is_validated_and_debug_hides_tokens() {
        let bad = ClientConfig {
            retry: RetryPolicy {
                max_attempts: 0,
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(matches!(
            ApiClient::new(bad, Arc::new(Fixed), Arc::new(PlainHttp)),
            Err(HttpError::Config(_))
        ));
        let client = ApiClient::new(
            ClientConfig::default(),
            Arc::new(Fixed),
            Arc::new(PlainHttp),
        )
        .unwrap();
        let token = client.token().await.unwrap();
        assert_eq!(token.access_token.expose(), "tok-SECRET-123");
        assert!(!format!("{client:?} {token:?}").contains("SECRET"));
        assert_eq!(client.stats().token_requests, 1);
    }
}
