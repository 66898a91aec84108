//! OAuth tokens: the vendor-neutral [`TokenSource`] seam and the single-flight
//! cache that refreshes ahead of expiry.

use super::retry::{self, retryable_status, GaveUp, RetryLogic, RetryPolicy, Verdict};
use super::{read_limited, SMALL_BODY_LIMIT};
use super::{redirect_target, stats::Counters, HttpError, Redactor};
use crate::Secret;
use futures::future::BoxFuture;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// An access token as issued by a vendor's token endpoint.
#[derive(Clone, Debug)]
pub struct Token {
    pub access_token: Secret,
    /// Lifetime announced by the endpoint (`expires_in`).
    pub expires_in: Duration,
    /// Refresh token, for grants that issue one (CXone password grant).
    pub refresh_token: Option<Secret>,
    /// OIDC id token (CXone: carries the tenant id used for API discovery).
    pub id_token: Option<Secret>,
}

/// A vendor's way to obtain a token: Genesys client credentials
/// (`sources::genesys::ClientCredentials`), the CXone password and
/// refresh-token grants (`sources::cxone::auth::PasswordGrant`).
///
/// Errors: a refusal of the credentials (400/401 and other 4xx from the token
/// endpoint) must be [`HttpError::TokenRejected`], which is never retried.
/// Anything else (5xx, 429, timeouts, resets) is retried a few times by the
/// cache. A source that can use a refresh token keeps it itself and prefers
/// it on the next `fetch`; the cache passes nothing.
pub trait TokenSource: Send + Sync + 'static {
    fn fetch<'a>(&'a self, http: &'a reqwest::Client) -> BoxFuture<'a, Result<Token, HttpError>>;

    /// Tells `redactor` every configured secret this source sends (client
    /// and access-key secrets, the Basic pair as sent), so that no answer
    /// echoing one can show it. The tokens it obtains are added by the
    /// cache. Required, so that a new source cannot forget it.
    fn register_secrets(&self, redactor: &Redactor);
}

/// The cache's notion of "now": real time, or a hand-driven clock in tests
/// (tokio's paused time needs the `test-util` feature, which the crate does
/// not enable).
#[derive(Clone, Default)]
struct Clock(Option<Arc<Mutex<Instant>>>);

impl Clock {
    fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// Attempts per token refresh before giving up on a flaky token endpoint:
/// fewer than for API requests, as every worker waits on this one.
const TOKEN_ATTEMPTS: u32 = 3;

/// The longest token lifetime believed; longer announcements (including
/// absurd ones such as `1e30`) are cut to this.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How long before expiry a token is replaced: a tenth of its lifetime,
/// between 250 ms and 5 min, and never more than half the lifetime (a 2 s
/// token must still be usable for a while).
pub fn refresh_margin(expires_in: Duration) -> Duration {
    (expires_in / 10)
        .clamp(Duration::from_millis(250), Duration::from_secs(300))
        .min(expires_in / 2)
}

/// One issued token as the cache holds it.
#[derive(Debug)]
pub struct CachedToken {
    pub token: Token,
    /// Increases by one with every successful fetch; a 401 invalidates only
    /// the generation it was seen with.
    pub generation: u64,
    /// From here on the token is replaced before use.
    pub refresh_at: Instant,
    /// The endpoint's own expiry, counted from when its answer arrived.
    pub expires_at: Instant,
}

impl CachedToken {
    fn usable(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

/// Holds the current token and makes sure that concurrent callers needing a
/// new one cause exactly one request to the token endpoint.
pub(crate) struct TokenCache {
    source: Arc<dyn TokenSource>,
    /// Learns every token issued; scrubs every token-endpoint error.
    redactor: Arc<Redactor>,
    clock: Clock,
    current: Mutex<Option<Arc<CachedToken>>>,
    /// Held for the whole duration of a fetch: the single flight.
    flight: tokio::sync::Mutex<FlightState>,
    /// Completed flights, read before queueing on `flight` to tell whether a
    /// flight finished while we waited.
    flights_done: AtomicU64,
}

#[derive(Default)]
struct FlightState {
    generation: u64,
    /// Credentials do not heal during a run: once refused, every caller gets
    /// the same error without another token request.
    rejected: Option<HttpError>,
    /// Result of the last flight when it failed, shared with its waiters so
    /// twenty workers do not retry a dead token endpoint twenty times.
    last_failure: Option<HttpError>,
}

impl TokenCache {
    pub(crate) fn new(source: Arc<dyn TokenSource>, redactor: Arc<Redactor>) -> Self {
        TokenCache {
            source,
            redactor,
            clock: Clock::default(),
            current: Mutex::new(None),
            flight: tokio::sync::Mutex::new(FlightState::default()),
            flights_done: AtomicU64::new(0),
        }
    }

    fn usable_now(&self) -> Option<Arc<CachedToken>> {
        let now = self.clock.now();
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|t| t.usable(now)).cloned()
    }

    /// A token that is valid right now and outside its refresh margin,
    /// fetching a new one when needed.
    pub(crate) async fn get(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        counters: &Counters,
    ) -> Result<Arc<CachedToken>, HttpError> {
        if let Some(t) = self.usable_now() {
            return Ok(t);
        }
        let seen_flights = self.flights_done.load(Ordering::Acquire);
        let mut flight = self.flight.lock().await;
        if let Some(err) = &flight.rejected {
            return Err(err.clone());
        }
        // Double check: the flight we queued behind may have done the work.
        if let Some(t) = self.usable_now() {
            return Ok(t);
        }
        if self.flights_done.load(Ordering::Acquire) != seen_flights {
            if let Some(err) = &flight.last_failure {
                return Err(err.clone());
            }
        }
        let result = self.fetch_with_retries(http, policy, counters).await;
        self.flights_done.fetch_add(1, Ordering::AcqRel);
        match result {
            Ok(token) => {
                let arrived = self.clock.now();
                for secret in [
                    Some(&token.access_token),
                    token.refresh_token.as_ref(),
                    token.id_token.as_ref(),
                ]
                .into_iter()
                .flatten()
                {
                    self.redactor.add(secret.expose());
                }
                flight.generation += 1;
                flight.last_failure = None;
                // A source other than `parse_token_response` may announce
                // any lifetime; `Instant + Duration` must not overflow.
                let lifetime = token.expires_in.min(MAX_TOKEN_LIFETIME);
                let margin = refresh_margin(lifetime);
                let expires_at = arrived.checked_add(lifetime).unwrap_or(arrived);
                let cached = Arc::new(CachedToken {
                    generation: flight.generation,
                    refresh_at: expires_at.checked_sub(margin).unwrap_or(arrived),
                    expires_at,
                    token,
                });
                tracing::info!(
                    generation = cached.generation,
                    expires_in_s = cached.token.expires_in.as_secs_f64(),
                    refresh_margin_s = margin.as_secs_f64(),
                    "obtained a new access token"
                );
                *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(cached.clone());
                Ok(cached)
            }
            Err(err) => {
                if matches!(err, HttpError::TokenRejected { .. }) {
                    flight.rejected = Some(err.clone());
                }
                flight.last_failure = Some(err.clone());
                Err(err)
            }
        }
    }

    /// Drops the token of `generation` if it is still the current one, so
    /// that many workers hitting 401 with the same token cause one refresh.
    /// Returns whether this call did the invalidation.
    pub(crate) fn invalidate(&self, generation: u64) -> bool {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.as_ref().is_some_and(|t| t.generation == generation) {
            *current = None;
            true
        } else {
            false
        }
    }

    async fn fetch_with_retries(
        &self,
        http: &reqwest::Client,
        policy: &RetryPolicy,
        counters: &Counters,
    ) -> Result<Token, HttpError> {
        let policy = RetryPolicy {
            max_attempts: TOKEN_ATTEMPTS,
            ..policy.clone()
        };
        // Sources read their own answers, so their errors are scrubbed as
        // they come out, before the retry driver logs them.
        let fetch = || {
            Counters::bump(&counters.token_requests);
            let attempt = self.source.fetch(http);
            async move { attempt.await.map_err(|e| e.redacted(&self.redactor)) }
        };
        retry::run(&policy, &TokenLogic { counters }, fetch)
            .await
            .map_err(|gave_up| match gave_up {
                GaveUp::Fatal(err) => {
                    tracing::error!(error = %err, "the token request failed");
                    err
                }
                GaveUp::Exhausted {
                    attempts,
                    elapsed,
                    last,
                } => {
                    let (method, path) = match &last {
                        HttpError::Status { method, path, .. }
                        | HttpError::Transport { method, path, .. }
                        | HttpError::RetriesExhausted { method, path, .. } => {
                            (method.clone(), path.clone())
                        }
                        _ => ("POST".into(), "token endpoint".into()),
                    };
                    HttpError::RetriesExhausted {
                        method,
                        path,
                        attempts,
                        elapsed_s: elapsed.as_secs_f64(),
                        last: last.to_string(),
                    }
                }
            })
    }
}

/// Which token-endpoint failures are worth another request.
struct TokenLogic<'a> {
    counters: &'a Counters,
}

impl RetryLogic for TokenLogic<'_> {
    type Error = HttpError;

    fn classify(&self, err: &HttpError) -> Verdict {
        match err {
            HttpError::Status { status, .. } if retryable_status(*status) => Verdict::Transient,
            HttpError::Transport { .. } | HttpError::RetriesExhausted { .. } => Verdict::Transient,
            HttpError::Status { .. }
            | HttpError::TokenRejected { .. }
            | HttpError::Forbidden { .. }
            | HttpError::Redirected { .. }
            | HttpError::Config(_) => Verdict::Fatal,
        }
    }

    fn on_retry(&self, err: &HttpError, _: Verdict, attempt: u32, wait: Duration) -> Duration {
        Counters::bump(&self.counters.retries);
        tracing::info!(attempt, wait_ms = wait.as_millis() as u64, error = %err, "token request failed, retrying");
        wait
    }
}

/// POSTs a form to an OAuth token endpoint and reads the standard token
/// answer; shared by the vendors' [`TokenSource`]s.
///
/// `basic` is `(user, password)` for `Authorization: Basic`, already encoded
/// as the vendor wants it; `setting` names the setting behind `url`. Statuses
/// map as [`TokenSource`] requires: other 4xx than 408/429 →
/// [`HttpError::TokenRejected`] with the OAuth `error`/`error_description`
/// (never the body as such); 5xx/408/429 → [`HttpError::Status`]; 3xx →
/// [`HttpError::Redirected`] (not followed: the form carries the secrets);
/// transport failures and answers over [`SMALL_BODY_LIMIT`] →
/// [`HttpError::Transport`].
pub async fn request_token(
    http: &reqwest::Client,
    url: &Url,
    setting: &'static str,
    basic: Option<(&str, &Secret)>,
    form: &[(&str, &str)],
) -> Result<Token, HttpError> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut builder = http
        .post(url.clone())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body);
    if let Some((user, password)) = basic {
        builder = builder.basic_auth(user, Some(password.expose()));
    }
    let transport = |detail: String| HttpError::Transport {
        method: "POST".into(),
        path: url.path().to_string(),
        detail,
    };
    let response = builder
        .send()
        .await
        .map_err(|e| transport(super::describe_reqwest_error(&e)))?;
    let status = response.status().as_u16();
    if (300..400).contains(&status) {
        return Err(HttpError::Redirected {
            from: super::url_without_query(url),
            status,
            to: redirect_target(url, response.headers()),
            setting,
        });
    }
    let body = read_limited(
        response,
        SMALL_BODY_LIMIT,
        "token answers",
        Vec::with_capacity,
    )
    .await
    .map_err(|e| transport(e.to_string()))?;
    if (200..300).contains(&status) {
        return parse_token_response(&body).map_err(|detail| HttpError::Status {
            method: "POST".into(),
            path: url.path().to_string(),
            status,
            message: detail,
        });
    }
    let detail = oauth_error_detail(&body);
    // A 5xx is the endpoint's trouble, not a verdict on the credentials,
    // even when retrying cannot help (501).
    if retryable_status(status) || status >= 500 {
        return Err(HttpError::Status {
            method: "POST".into(),
            path: url.path().to_string(),
            status,
            message: detail,
        });
    }
    Err(HttpError::TokenRejected {
        url: super::url_without_query(url),
        status,
        detail,
    })
}

/// Reads `{access_token, expires_in, refresh_token?, id_token?}`; the error
/// text never contains the body, which holds the token.
pub fn parse_token_response(body: &[u8]) -> Result<Token, String> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("the token response is not JSON ({e})"))?;
    let secret = |key: &str| {
        v.get(key)
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .map(Secret::new)
    };
    let access_token = secret("access_token").ok_or("the token response has no access_token")?;
    let expires_in = match v.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    // NaN fails the comparison; infinity is cut like any other excess.
    .filter(|s| *s > 0.0)
    .ok_or("the token response has no positive expires_in")?;
    let expires_in = Duration::try_from_secs_f64(expires_in)
        .map_or(MAX_TOKEN_LIFETIME, |d| d.min(MAX_TOKEN_LIFETIME));
    Ok(Token {
        access_token,
        expires_in,
        refresh_token: secret("refresh_token"),
        id_token: secret("id_token"),
    })
}

fn oauth_error_detail(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let (error, description) = (field("error"), field("error_description"));
    let description = if description.is_empty() {
        field("description")
    } else {
        description
    };
    match (error.is_empty(), description.is_empty()) {
        (true, true) => "no error detail in the response".into(),
        (false, true) => error,
        (true, false) => description,
        (false, false) => format!("{error}: {description}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn margin_is_a_tenth_clamped_and_at_most_half() {
        assert_eq!(
            refresh_margin(Duration::from_secs(86_400)),
            Duration::from_secs(300)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(300)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_millis(250)
        );
        assert_eq!(
            refresh_margin(Duration::from_millis(400)),
            Duration::from_millis(200)
        );
        assert_eq!(refresh_margin(Duration::ZERO), Duration::ZERO);
    }

    /// Counts fetches; each takes `delay` (virtual time) and yields a token
    /// of `ttl`, or the scripted error.
    struct Slow {
        fetches: AtomicU32,
        delay: Duration,
        ttl: Duration,
        fail_with: Option<HttpError>,
        fail_first: u32,
    }

    impl Slow {
        fn ok(delay_ms: u64, ttl: Duration) -> Arc<Self> {
            Arc::new(Slow {
                fetches: AtomicU32::new(0),
                delay: Duration::from_millis(delay_ms),
                ttl,
                fail_with: None,
                fail_first: 0,
            })
        }
    }

    impl TokenSource for Slow {
        fn fetch<'a>(&'a self, _: &'a reqwest::Client) -> BoxFuture<'a, Result<Token, HttpError>> {
            Box::pin(async move {
                let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(self.delay).await;
                if let Some(e) = &self.fail_with {
                    if n <= self.fail_first {
                        return Err(e.clone());
                    }
                }
                Ok(Token {
                    access_token: Secret::new(format!("tok-{n}")),
                    expires_in: self.ttl,
                    refresh_token: None,
                    id_token: None,
                })
            })
        }

        fn register_secrets(&self, _: &Redactor) {}
    }

    fn env() -> (reqwest::Client, RetryPolicy, Arc<Counters>) {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            ..Default::default()
        };
        (
            reqwest::Client::new(),
            policy,
            Arc::new(Counters::default()),
        )
    }

    impl Clock {
        fn manual() -> (Self, Arc<Mutex<Instant>>) {
            let t = Arc::new(Mutex::new(Instant::now()));
            (Clock(Some(t.clone())), t)
        }
    }

    fn advance(t: &Mutex<Instant>, d: Duration) {
        *t.lock().unwrap() += d;
    }

    #[tokio::test]
    async fn concurrent_callers_cause_one_fetch() {
        let src = Slow::ok(50, Duration::from_secs(3600));
        let cache = Arc::new(TokenCache::new(src.clone(), Arc::default()));
        let (http, policy, counters) = env();
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (cache, http, policy) = (cache.clone(), http.clone(), policy.clone());
                let counters = counters.clone();
                tokio::spawn(async move {
                    cache
                        .get(&http, &policy, &counters)
                        .await
                        .unwrap()
                        .generation
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        assert_eq!(src.fetches.load(Ordering::SeqCst), 1);
        assert_eq!(counters.snapshot().token_requests, 1);
    }

    #[tokio::test]
    async fn refreshes_before_expiry_never_after() {
        let ttl = Duration::from_secs(2);
        let src = Slow::ok(0, ttl);
        let (clock, time) = Clock::manual();
        let mut cache = TokenCache::new(src.clone(), Arc::default());
        cache.clock = clock.clone();
        let (http, policy, counters) = env();
        let first = cache.get(&http, &policy, &counters).await.unwrap();
        assert_eq!(
            first.expires_at - first.refresh_at,
            Duration::from_millis(250)
        );
        assert_eq!(first.expires_at - clock.now(), ttl);
        // Just before refresh_at (1.75 s): still the same token.
        advance(&time, Duration::from_millis(1740));
        assert_eq!(
            cache
                .get(&http, &policy, &counters)
                .await
                .unwrap()
                .generation,
            1
        );
        // Past refresh_at but before expiry (2 s): already replaced.
        advance(&time, Duration::from_millis(20));
        let second = cache.get(&http, &policy, &counters).await.unwrap();
        assert_eq!(second.generation, 2);
        assert!(clock.now() < second.refresh_at);
        assert_eq!(src.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidating_one_generation_twice_refreshes_once() {
        let src = Slow::ok(100, Duration::from_secs(3600));
        let cache = Arc::new(TokenCache::new(src.clone(), Arc::default()));
        let (http, policy, counters) = env();
        let t1 = cache.get(&http, &policy, &counters).await.unwrap();
        assert!(cache.invalidate(t1.generation));
        assert!(!cache.invalidate(t1.generation));
        // Both "401 workers" now ask again at the same time.
        let (a, b) = tokio::join!(
            cache.get(&http, &policy, &counters),
            cache.get(&http, &policy, &counters)
        );
        assert_eq!(a.unwrap().generation, 2);
        assert_eq!(b.unwrap().generation, 2);
        // A late 401 seen with the old generation must not throw away the new token.
        assert!(!cache.invalidate(t1.generation));
        assert_eq!(
            cache
                .get(&http, &policy, &counters)
                .await
                .unwrap()
                .generation,
            2
        );
        assert_eq!(src.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn rejected_credentials_are_sticky_and_not_retried() {
        let rejected = HttpError::TokenRejected {
            url: "https://login.example/oauth/token".into(),
            status: 401,
            detail: "invalid_client".into(),
        };
        let src = Arc::new(Slow {
            fetches: AtomicU32::new(0),
            delay: Duration::from_millis(50),
            ttl: Duration::from_secs(60),
            fail_with: Some(rejected),
            fail_first: u32::MAX,
        });
        let cache = Arc::new(TokenCache::new(src.clone(), Arc::default()));
        let (http, policy, counters) = env();
        let results =
            futures::future::join_all((0..10).map(|_| cache.get(&http, &policy, &counters))).await;
        assert!(results
            .iter()
            .all(|r| matches!(r, Err(HttpError::TokenRejected { status: 401, .. }))));
        assert_eq!(src.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn transient_token_errors_are_retried_a_few_times() {
        let flaky = HttpError::Status {
            method: "POST".into(),
            path: "/oauth/token".into(),
            status: 503,
            message: "busy".into(),
        };
        let src = Arc::new(Slow {
            fetches: AtomicU32::new(0),
            delay: Duration::ZERO,
            ttl: Duration::from_secs(60),
            fail_with: Some(flaky.clone()),
            fail_first: 2,
        });
        let cache = TokenCache::new(src.clone(), Arc::default());
        let (http, policy, counters) = env();
        assert_eq!(
            cache
                .get(&http, &policy, &counters)
                .await
                .unwrap()
                .generation,
            1
        );
        assert_eq!(src.fetches.load(Ordering::SeqCst), 3);

        let src = Arc::new(Slow {
            fetches: AtomicU32::new(0),
            delay: Duration::ZERO,
            ttl: Duration::from_secs(60),
            fail_with: Some(flaky),
            fail_first: u32::MAX,
        });
        let cache = TokenCache::new(src.clone(), Arc::default());
        let err = cache.get(&http, &policy, &counters).await.unwrap_err();
        assert!(
            matches!(
                err,
                HttpError::RetriesExhausted {
                    attempts: TOKEN_ATTEMPTS,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(src.fetches.load(Ordering::SeqCst), TOKEN_ATTEMPTS);
    }

    #[test]
    fn token_endpoint_failures_share_the_status_table() {
        let counters = Counters::default();
        let logic = TokenLogic {
            counters: &counters,
        };
        let status = |status| HttpError::Status {
            method: "POST".into(),
            path: "/oauth/token".into(),
            status,
            message: String::new(),
        };
        for (code, verdict) in [
            (503, Verdict::Transient),
            (429, Verdict::Transient),
            (408, Verdict::Transient),
            (501, Verdict::Fatal),
            (400, Verdict::Fatal),
        ] {
            assert_eq!(logic.classify(&status(code)), verdict, "{code}");
        }
        let transport = HttpError::Transport {
            method: "POST".into(),
            path: "/oauth/token".into(),
            detail: "connection failed".into(),
        };
        assert_eq!(logic.classify(&transport), Verdict::Transient);
        let rejected = HttpError::TokenRejected {
            url: "https://login.example/oauth/token".into(),
            status: 401,
            detail: "invalid_client".into(),
        };
        assert_eq!(logic.classify(&rejected), Verdict::Fatal);
    }

    #[test]
    fn token_response_parsing_hides_the_token() {
        let t = parse_token_response(
            br#"{"access_token":"abc","token_type":"bearer","expires_in":86400}"#,
        )
        .unwrap();
        assert_eq!(t.access_token.expose(), "abc");
        assert_eq!(t.expires_in, Duration::from_secs(86_400));
        assert!(t.refresh_token.is_none());
        assert!(!format!("{t:?}").contains("abc"));
        let t = parse_token_response(
            br#"{"access_token":"a","expires_in":"3600","refresh_token":"r","id_token":"i"}"#,
        )
        .unwrap();
        assert_eq!(t.refresh_token.unwrap().expose(), "r");
        let err = parse_token_response(br#"{"access_token":"secret-value"}"#).unwrap_err();
        assert!(!err.contains("secret-value"));
        assert!(parse_token_response(b"<html>").is_err());
    }

    #[test]
    fn absurd_lifetimes_are_cut_to_a_day_and_never_panic() {
        let lifetime = |raw: &str| {
            let body = format!(r#"{{"access_token":"a","expires_in":{raw}}}"#);
            parse_token_response(body.as_bytes()).map(|t| t.expires_in)
        };
        for huge in [
            "1e19",
            "1e30",
            "1.7976931348623157e308",
            "\"inf\"",
            "\"1e30\"",
        ] {
            assert_eq!(lifetime(huge), Ok(MAX_TOKEN_LIFETIME), "{huge}");
        }
        assert_eq!(lifetime("86399.5"), Ok(Duration::from_millis(86_399_500)));
        for bad in ["-1", "0", "-1e30", "\"NaN\"", "\"-inf\"", "null"] {
            assert!(lifetime(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_source_announcing_an_absurd_lifetime_is_cached_for_a_day() {
        let src = Slow::ok(0, Duration::MAX);
        let cache = TokenCache::new(src, Arc::default());
        let (http, policy, counters) = env();
        let t = cache.get(&http, &policy, &counters).await.unwrap();
        assert!(t.expires_at - t.refresh_at == Duration::from_secs(300));
        assert!(t.expires_at <= Instant::now() + MAX_TOKEN_LIFETIME);
    }

    #[test]
    fn oauth_error_details() {
        assert_eq!(oauth_error_detail(br#"{"error":"invalid_client","description":"authentication failed","error_description":"authentication failed"}"#), "invalid_client: authentication failed");
        assert_eq!(
            oauth_error_detail(b"nope"),
            "no error detail in the response"
        );
    }
}
