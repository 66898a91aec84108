//! HTTP side of the simulator: one handler that logs, injects faults,
//! authenticates and routes, so every response (faults included) goes
//! through the same bookkeeping. The vendor-specific shapes live in
//! `route`/`token_endpoint` here (Genesys) and in `cxone.rs`.

use crate::simulator::cxone::api::{self as cxone, Endpoint};
use crate::simulator::genesys::data::{self as gen, Dataset};
use crate::simulator::{RequestKind, RequestRecord, SimConfig, TokenUse};
use crate::Vendor;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;
const DETAILS: &str = "/api/v2/analytics/conversations/details";
/// Advertised in `inin-ratelimit-allowed` when no limit is enforced: large,
/// so clients that pace on the headers are not slowed in benchmarks.
const UNLIMITED_ALLOWANCE: u32 = 100_000;
const WINDOW: Duration = Duration::from_secs(60);
const BOTH_PERMISSIONS: &str =
    "[analytics:conversationDetail:view, analytics:agentConversationDetail:view]";

pub(crate) struct App {
    pub cfg: SimConfig,
    pub data: Dataset,
    pub log: Mutex<Vec<RequestRecord>>,
    /// `http://127.0.0.1:PORT`: the issuer and API endpoint CXone documents
    /// point at.
    pub base: String,
    started: Instant,
    seq: AtomicU64,
    tokens_in_flight: AtomicUsize,
    pub(crate) st: Mutex<Shared>,
}

struct Token {
    id: u64,
    issued: Instant,
    ttl: Duration,
    revoked: bool,
    window_start: Option<Instant>,
    window_count: u32,
}

struct Job {
    seq: u32,
    fail: bool,
    polls: u32,
    terminal: Option<&'static str>,
    submitted_ms: i64,
    completed_ms: Option<i64>,
    indices: Arc<Vec<u32>>,
}

pub(crate) struct Shared {
    tokens: HashMap<String, Token>,
    pub(crate) next_token_id: u64,
    /// CXone refresh tokens (Genesys issues none).
    pub(crate) refresh_tokens: HashMap<String, cxone::Refresh>,
    api_requests: u64,
    burst_remaining: u32,
    server_errors: u64,
    jobs: HashMap<String, Job>,
    jobs_submitted: u32,
    pub(crate) rng: fastrand::Rng,
}

impl Shared {
    /// Stores a freshly issued access token under the next token id.
    pub(crate) fn insert_token(&mut self, text: String, ttl: Duration) -> u64 {
        let id = self.next_token_id;
        self.next_token_id += 1;
        self.tokens.insert(
            text,
            Token {
                id,
                issued: Instant::now(),
                ttl,
                revoked: false,
                window_start: None,
                window_count: 0,
            },
        );
        id
    }
}

impl App {
    pub fn new(cfg: SimConfig, data: Dataset, base: String) -> App {
        App {
            cfg,
            data,
            log: Mutex::new(Vec::new()),
            base,
            started: Instant::now(),
            seq: AtomicU64::new(0),
            tokens_in_flight: AtomicUsize::new(0),
            st: Mutex::new(Shared {
                tokens: HashMap::new(),
                next_token_id: 1,
                refresh_tokens: HashMap::new(),
                api_requests: 0,
                burst_remaining: 0,
                server_errors: 0,
                jobs: HashMap::new(),
                jobs_submitted: 0,
                // Tokens must not be guessable from the data seed.
                rng: fastrand::Rng::new(),
            }),
        }
    }

    /// Every CXone refresh token still redeemable (for leak checks).
    pub fn issued_refresh_tokens(&self) -> Vec<String> {
        self.st
            .lock()
            .expect("state lock")
            .refresh_tokens
            .keys()
            .cloned()
            .collect()
    }

    /// Every access token issued so far (for leak checks in tests).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.st
            .lock()
            .expect("state lock")
            .tokens
            .keys()
            .cloned()
            .collect()
    }

    fn ms_since_start(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    pub(crate) fn availability_ms(&self) -> i64 {
        self.cfg
            .data_availability
            .unwrap_or(self.cfg.interval.end())
            .timestamp_millis()
    }
}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

/// What a response is, before headers are attached.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    /// Empty = no `Content-Type` (a 204).
    pub(crate) content_type: &'static str,
    pub(crate) retry_after: Option<u32>,
    pub(crate) reset: bool,
    /// Vendor-specific extras (`Cache-Control`, `icStatusDescription`, …).
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            body: body.into(),
            content_type: "application/json",
            retry_after: None,
            reset: false,
            headers: Vec::new(),
        }
    }
}

fn platform_error(status: StatusCode, code: &str, message: &str, context_id: &str) -> Reply {
    let body = json!({
        "status": status.as_u16(),
        "code": code,
        "message": message,
        "contextId": context_id,
        "details": [],
        "errors": [],
    });
    Reply::json(status, serde_json::to_vec(&body).expect("static json"))
}

fn bad_request(message: &str, ctx: &str) -> Reply {
    platform_error(StatusCode::BAD_REQUEST, "bad.request", message, ctx)
}

fn lb_error(status: u16) -> Reply {
    let text = match status {
        502 => "502 Bad Gateway",
        504 => "504 Gateway Time-out",
        _ => "503 Service Temporarily Unavailable",
    };
    Reply {
        status: StatusCode::from_u16(status).expect("valid status"),
        body: Bytes::from(format!("<html><body><h1>{text}</h1></body></html>")),
        content_type: "text/html",
        retry_after: None,
        reset: false,
        headers: Vec::new(),
    }
}

/// FNV-1a: a stable body fingerprint for [`RequestRecord::key`].
fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn correlation_id() -> String {
    random_uuid(&mut fastrand::Rng::new())
}

/// Random version-4 UUID text, the form Genesys uses for ids.
fn random_uuid(rng: &mut fastrand::Rng) -> String {
    let v = rng.u128(..) & !(0xF << 76) & !(0x3 << 62) | (0x4 << 76) | (0x2 << 62);
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let received_ms = app.ms_since_start();
    let seq = app.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, 64 << 20).await.unwrap_or_default();
    let method = parts.method.clone();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let key = format!("{method} {path}?{query} #{:016x}", fnv(&body));
    let ctx = correlation_id();

    let mut record = RequestRecord {
        seq,
        received_ms,
        responded_ms: 0.0,
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        key,
        status: 0,
        retry_after: None,
        kind: RequestKind::Api,
        token: TokenUse::Missing,
        token_id: None,
        concurrent_token_requests: 0,
    };

    let genesys = app.cfg.vendor == Vendor::Genesys;
    let endpoint = if genesys {
        match path.as_str() {
            "/oauth/token" => Endpoint::Token,
            _ => Endpoint::Api,
        }
    } else {
        cxone::classify(&path)
    };
    let mut headers = HeaderMap::new();
    let reply = match endpoint {
        Endpoint::Token => {
            record.kind = RequestKind::Token;
            let in_flight = app.tokens_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            record.concurrent_token_requests = in_flight;
            let reply = if genesys {
                token_endpoint(&app, &method, &parts.headers, &body, &mut record).await
            } else {
                cxone::token_endpoint(&app, &method, &parts.headers, &body, &mut record).await
            };
            app.tokens_in_flight.fetch_sub(1, Ordering::SeqCst);
            reply
        }
        Endpoint::Discovery => {
            // Unauthenticated and outside the fault schedule: a client
            // meets it once per run, before any page.
            record.kind = RequestKind::Discovery;
            record.concurrent_token_requests = app.tokens_in_flight.load(Ordering::SeqCst);
            let reply = cxone::discovery(&app, &method, &path, &query);
            if !app.cfg.page_latency.is_zero() {
                tokio::time::sleep(app.cfg.page_latency).await;
            }
            reply
        }
        Endpoint::Api => {
            record.concurrent_token_requests = app.tokens_in_flight.load(Ordering::SeqCst);
            let d = decide(&app, bearer(&parts.headers), &path, &ctx);
            record.token = d.token;
            record.token_id = d.token_id;
            let reply = match d.reply {
                Some(r) => r,
                None if genesys => route(&app, &method, &path, &query, &body, &ctx),
                None => cxone::route(&app, &method, &path, &query, &parts.headers),
            };
            if genesys {
                let (allowed, count, reset) = d.rate;
                headers.insert("inin-ratelimit-allowed", HeaderValue::from(allowed));
                headers.insert("inin-ratelimit-count", HeaderValue::from(count));
                headers.insert("inin-ratelimit-reset", HeaderValue::from(reset));
            }
            if !app.cfg.page_latency.is_zero() {
                tokio::time::sleep(app.cfg.page_latency).await;
            }
            reply
        }
    };
    if genesys {
        headers.insert(
            "inin-correlation-id",
            HeaderValue::from_str(&ctx).expect("hex id"),
        );
    }
    if !reply.content_type.is_empty() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(reply.content_type),
        );
    }
    if let Some(s) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    for (k, v) in &reply.headers {
        headers.insert(k.clone(), v.clone());
    }
    record.status = if reply.reset {
        0
    } else {
        reply.status.as_u16()
    };
    record.retry_after = reply.retry_after;
    record.responded_ms = app.ms_since_start();
    app.log.lock().expect("log lock").push(record);

    let body = if reply.reset {
        // Headers and a first chunk go out, then the body stream fails and
        // hyper aborts the connection mid-message, as a dropped LB would.
        let first = reply.body;
        let stream = futures::stream::unfold(0u8, move |step| {
            let first = first.clone();
            async move {
                match step {
                    0 => Some((Ok::<Bytes, std::io::Error>(first), 1)),
                    1 => {
                        // Let hyper flush the first chunk before the failure.
                        tokio::task::yield_now().await;
                        Some((
                            Err(std::io::Error::new(
                                std::io::ErrorKind::ConnectionReset,
                                "simulated connection reset",
                            )),
                            2,
                        ))
                    }
                    _ => None,
                }
            }
        });
        Body::from_stream(stream)
    } else {
        Body::from(reply.body)
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = reply.status;
    *resp.headers_mut() = headers;
    resp
}

fn bearer(h: &HeaderMap) -> Option<String> {
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, tok) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| tok.trim().to_string())
}

// ---------------------------------------------------------------------------
// OAuth.

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    let body =
        json!({"error": error, "description": description, "error_description": description});
    Reply::json(status, serde_json::to_vec(&body).expect("static json"))
}

async fn token_endpoint(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    record: &mut RequestRecord,
) -> Reply {
    if !app.cfg.token_latency.is_zero() {
        tokio::time::sleep(app.cfg.token_latency).await;
    }
    if method != Method::POST {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method not allowed",
        );
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    // Basic auth is what the SDK sends; the form-body variant (Airbyte) is
    // accepted too.
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|d| String::from_utf8(d).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        });
    let (id, secret) = match basic {
        Some(c) => c,
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        ),
    };
    if id != app.cfg.client_id {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client not found",
        );
    }
    if secret != app.cfg.client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "authentication failed",
        );
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant type not supported",
        );
    }
    let ttl = app.cfg.token_ttl;
    let expires_in = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    let mut st = app.st.lock().expect("state lock");
    let text: String = {
        const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..86)
            .map(|_| ALPHA[st.rng.usize(..ALPHA.len())] as char)
            .collect()
    };
    let id = st.insert_token(text.clone(), ttl);
    drop(st);
    record.token_id = Some(id);
    let body = json!({"access_token": text, "token_type": "bearer", "expires_in": expires_in});
    Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
}

// ---------------------------------------------------------------------------
// Faults, authentication and rate limiting for API requests.

struct Decision {
    /// `Some` = answered before routing.
    reply: Option<Reply>,
    token: TokenUse,
    token_id: Option<u64>,
    /// allowed, count, reset seconds for the `inin-ratelimit-*` headers.
    rate: (u32, u32, u64),
}

fn decide(app: &App, presented: Option<String>, path: &str, ctx: &str) -> Decision {
    let f = &app.cfg.faults;
    let cx = app.cfg.vendor == Vendor::Cxone;
    let now = Instant::now();
    let mut st = app.st.lock().expect("state lock");
    st.api_requests += 1;
    let n = st.api_requests;
    let hit = |every: Option<u32>| every.is_some_and(|k| k > 0 && n % u64::from(k) == 0);
    let allowed = f.rate_limit_per_minute.unwrap_or(UNLIMITED_ALLOWANCE);
    let mut d = Decision {
        reply: None,
        token: TokenUse::Missing,
        token_id: None,
        rate: (allowed, 0, 60),
    };

    if let Some(t) = presented.as_deref() {
        match st.tokens.get(t) {
            None => d.token = TokenUse::Unknown,
            Some(tok) => {
                d.token_id = Some(tok.id);
                d.token = if tok.revoked {
                    TokenUse::Revoked
                } else if now >= tok.issued + tok.ttl {
                    TokenUse::Expired
                } else {
                    TokenUse::Valid
                };
            }
        }
    }

    if hit(f.reset_every) {
        d.reply = Some(if cx {
            cxone::reset_reply()
        } else {
            Reply {
                reset: true,
                ..Reply::json(
                    StatusCode::OK,
                    Bytes::from_static(b"{\"conversations\":[{\"conversationId\":\"4f1c"),
                )
            }
        });
        return d;
    }
    if hit(f.server_error_every) {
        let k = st.server_errors;
        st.server_errors += 1;
        // CXone's 503 is its throttling answer (JSON, below); the load
        // balancer's HTML pages are the other gateway statuses.
        let status = if cx {
            [502, 504][(k % 2) as usize]
        } else {
            [503, 502, 504][(k % 3) as usize]
        };
        d.reply = Some(lb_error(status));
        return d;
    }
    if hit(f.throttle_every) {
        st.burst_remaining = f.throttle_burst;
    }
    let unauthorized = |code: &str, msg: &str| {
        Some(if cx {
            cxone::unauthorized(match code {
                "authentication.required" => "Authorization header with a bearer token is required",
                "credentials.expired" => "The access token has expired",
                _ => "Invalid or revoked access token",
            })
        } else {
            platform_error(StatusCode::UNAUTHORIZED, code, msg, ctx)
        })
    };
    match d.token {
        TokenUse::Missing => {
            d.reply = unauthorized(
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            )
        }
        TokenUse::Unknown | TokenUse::Revoked => {
            d.reply = unauthorized("bad.credentials", "Invalid login credentials.")
        }
        TokenUse::Expired => {
            d.reply = unauthorized(
                "credentials.expired",
                "The supplied credentials are expired and cannot be used.",
            )
        }
        TokenUse::Valid => {}
    }
    if d.reply.is_some() {
        return d;
    }
    let tok = st
        .tokens
        .get_mut(presented.as_deref().unwrap_or_default())
        .expect("valid token is stored");
    if hit(f.revoke_every) {
        tok.revoked = true;
        d.token = TokenUse::Revoked;
        d.reply = unauthorized("bad.credentials", "Invalid login credentials.");
        return d;
    }
    let start = match tok.window_start {
        Some(s) if now < s + WINDOW => s,
        _ => {
            tok.window_count = 0;
            tok.window_start = Some(now);
            now
        }
    };
    tok.window_count += 1;
    let left = (start + WINDOW).saturating_duration_since(now);
    let reset = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
    let count = tok.window_count;
    d.rate = (allowed, count, reset);
    if st.burst_remaining > 0 {
        st.burst_remaining -= 1;
        d.reply = Some(if cx {
            cxone::throttled(f.retry_after)
        } else {
            throttled(300, f.retry_after, ctx)
        });
        return d;
    }
    if let Some(limit) = f.rate_limit_per_minute {
        if count > limit {
            d.reply = Some(if cx {
                cxone::rate_limited(limit, reset as u32)
            } else {
                throttled(limit, Some(reset as u32), ctx)
            });
            return d;
        }
    }
    if cx {
        if f.forbidden && cxone::is_completed_contacts(path) {
            d.reply = Some(cxone::forbidden());
        }
        return d;
    }
    if f.forbidden && path.starts_with("/api/v2/analytics/") {
        let perms = if path.ends_with("/jobs/availability") {
            "[analytics:conversationDetail:view]"
        } else {
            BOTH_PERMISSIONS
        };
        let msg = format!(
            "Unable to perform the requested action. You must have at least one of the following permissions assigned: {perms}"
        );
        d.reply = Some(platform_error(
            StatusCode::FORBIDDEN,
            "missing.any.permissions",
            &msg,
            ctx,
        ));
    }
    d
}

fn throttled(limit: u32, retry_after: Option<u32>, ctx: &str) -> Reply {
    let msg = format!("Rate limit exceeded the maximum [{limit}] requests within [60] seconds");
    Reply {
        retry_after,
        ..platform_error(
            StatusCode::TOO_MANY_REQUESTS,
            "too.many.requests",
            &msg,
            ctx,
        )
    }
}

// ---------------------------------------------------------------------------
// Analytics endpoints.

fn route(app: &App, method: &Method, path: &str, query: &str, body: &[u8], ctx: &str) -> Reply {
    let not_found = || {
        platform_error(
            StatusCode::NOT_FOUND,
            "not.found",
            "The requested operation failed with status 404",
            ctx,
        )
    };
    let Some(rest) = path.strip_prefix(DETAILS) else {
        return not_found();
    };
    let segs: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        (&Method::POST, ["query"]) => details_query(app, body, ctx),
        (&Method::POST, ["jobs"]) => create_job(app, body, ctx),
        (&Method::GET, ["jobs", "availability"]) => {
            let body = json!({"dataAvailabilityDate": gen::fmt_date(app.availability_ms())});
            Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
        }
        (&Method::GET, ["jobs", id]) => job_status(app, id).unwrap_or_else(not_found),
        (&Method::DELETE, ["jobs", id]) => {
            let removed = app.st.lock().expect("state lock").jobs.remove(*id);
            match removed {
                Some(_) => Reply {
                    content_type: "application/json",
                    ..Reply::json(StatusCode::NO_CONTENT, Bytes::new())
                },
                None => not_found(),
            }
        }
        (&Method::GET, ["jobs", id, "results"]) => {
            job_results(app, id, query, ctx).unwrap_or_else(not_found)
        }
        _ => not_found(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    page_size: Option<i64>,
    page_number: Option<i64>,
}

/// The fields of `ConversationQuery` / `AsyncConversationQuery` the
/// simulator acts on. Filters are accepted (they widen the interval limit)
/// but not applied.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryBody {
    interval: Option<String>,
    order: Option<String>,
    order_by: Option<String>,
    paging: Option<Paging>,
    conversation_filters: Option<Vec<serde_json::Value>>,
    segment_filters: Option<Vec<serde_json::Value>>,
    start_of_day_interval_matching: Option<bool>,
    limit: Option<i64>,
}

impl QueryBody {
    fn has_filters(&self) -> bool {
        self.conversation_filters
            .as_ref()
            .is_some_and(|f| !f.is_empty())
            || self.segment_filters.as_ref().is_some_and(|f| !f.is_empty())
    }
    /// `true` = descending.
    fn descending(&self) -> Result<bool, String> {
        match self.order.as_deref() {
            None | Some("asc") | Some("unordered") => Ok(false),
            Some("desc") => Ok(true),
            Some(o) => Err(format!(
                "Invalid order '{o}'. Valid values: asc, desc, unordered"
            )),
        }
    }
}

fn parse_body(body: &[u8]) -> Result<QueryBody, String> {
    let q: QueryBody = serde_json::from_slice(body)
        .map_err(|e| format!("Unable to parse the request body: {e}"))?;
    if let Some(o) = q.order_by.as_deref() {
        if !matches!(
            o,
            "conversationStart" | "conversationEnd" | "segmentStart" | "segmentEnd"
        ) {
            return Err(format!("Invalid orderBy '{o}'"));
        }
    }
    q.descending()?;
    Ok(q)
}

/// `start/end` ISO-8601 → epoch ms, start < end.
fn parse_interval(s: Option<&str>) -> Result<(i64, i64), String> {
    let s = s.ok_or("The interval is required")?;
    let (a, b) = s
        .split_once('/')
        .ok_or_else(|| format!("Invalid interval '{s}'"))?;
    let p = |x: &str| {
        chrono::DateTime::parse_from_rfc3339(x.trim())
            .map(|t| t.timestamp_millis())
            .map_err(|_| format!("Invalid interval '{s}'"))
    };
    let (a, b) = (p(a)?, p(b)?);
    if a >= b {
        return Err(format!("Invalid interval '{s}': start must be before end"));
    }
    Ok((a, b))
}

fn details_query(app: &App, body: &[u8], ctx: &str) -> Reply {
    let q = match parse_body(body) {
        Ok(q) => q,
        Err(m) => return bad_request(&m, ctx),
    };
    let (s, e) = match parse_interval(q.interval.as_deref()) {
        Ok(x) => x,
        Err(m) => return bad_request(&m, ctx),
    };
    let max_days = if q.has_filters() { 31 } else { 7 };
    if e - s > max_days * DAY_MS {
        return bad_request(
            &format!(
                "The query interval exceeds the maximum of {max_days} days{}",
                if max_days == 7 {
                    " when no filters are supplied"
                } else {
                    ""
                }
            ),
            ctx,
        );
    }
    let paging = q.paging.as_ref();
    let page_size = paging.and_then(|p| p.page_size).unwrap_or(25);
    let page_number = paging.and_then(|p| p.page_number).unwrap_or(1);
    if !(1..=100).contains(&page_size) {
        return bad_request(
            &format!("pageSize {page_size} is out of range: maximum is 100"),
            ctx,
        );
    }
    if page_number < 1 {
        return bad_request(
            &format!("pageNumber {page_number} is out of range: minimum is 1"),
            ctx,
        );
    }
    // Daily indexes keyed on start: every UTC day the interval touches.
    let day_lo = s.div_euclid(DAY_MS) * DAY_MS;
    let day_hi = ((e - 1).div_euclid(DAY_MS) + 1) * DAY_MS;
    let recs = &app.data.records;
    let lo = recs.partition_point(|r| r.start_ms < day_lo);
    let hi = recs.partition_point(|r| r.start_ms < day_hi);
    let total = hi - lo;
    let offset = ((page_number - 1) * page_size) as usize;
    let mut out = Vec::new();
    if offset >= total {
        out.extend_from_slice(b"{\"totalHits\":");
    } else {
        let n = (total - offset).min(page_size as usize);
        let desc = q.descending().unwrap_or(false);
        let idx = |k: usize| {
            if desc {
                hi - 1 - offset - k
            } else {
                lo + offset + k
            }
        };
        out.reserve(n * 4800 + 64);
        out.extend_from_slice(b"{\"conversations\":[");
        for k in 0..n {
            if k > 0 {
                out.push(b',');
            }
            recs[idx(k)].push_without_attributes(&mut out);
        }
        out.extend_from_slice(b"],\"totalHits\":");
    }
    out.extend_from_slice(total.to_string().as_bytes());
    out.push(b'}');
    Reply::json(StatusCode::OK, out)
}

fn create_job(app: &App, body: &[u8], ctx: &str) -> Reply {
    let q = match parse_body(body) {
        Ok(q) => q,
        Err(m) => return bad_request(&m, ctx),
    };
    let (s, e) = match parse_interval(q.interval.as_deref()) {
        Ok(x) => x,
        Err(m) => return bad_request(&m, ctx),
    };
    let data = &app.data;
    let recs = &data.records;
    // Lifetime overlap: start < end_i and (end > start_i or ongoing).
    // Nothing that started more than the longest duration ago can overlap,
    // except ongoing conversations, which are indexed separately.
    let start_of_day = q.start_of_day_interval_matching.unwrap_or(false);
    let day_start = s.div_euclid(DAY_MS) * DAY_MS;
    let min_start = if start_of_day { day_start } else { i64::MIN };
    let hi = recs.partition_point(|r| r.start_ms < e);
    let lo = recs
        .partition_point(|r| r.start_ms < (s - data.max_duration_ms).max(min_start))
        .min(hi);
    let mut indices: Vec<u32> = data
        .ongoing
        .iter()
        .copied()
        .take_while(|&i| (i as usize) < lo)
        .filter(|&i| recs[i as usize].start_ms >= min_start)
        .collect();
    indices.extend(
        (lo..hi)
            .filter(|&i| recs[i].end_ms.is_none_or(|end| end > s))
            .map(|i| i as u32),
    );
    if q.descending().unwrap_or(false) {
        indices.reverse();
    }
    if let Some(limit) = q.limit {
        indices.truncate(limit.max(0) as usize);
    }
    let mut st = app.st.lock().expect("state lock");
    st.jobs_submitted += 1;
    let seq = st.jobs_submitted;
    let id = random_uuid(&mut st.rng);
    st.jobs.insert(
        id.clone(),
        Job {
            seq,
            fail: seq <= app.cfg.faults.job_failures,
            polls: 0,
            terminal: None,
            submitted_ms: chrono::Utc::now().timestamp_millis(),
            completed_ms: None,
            indices: Arc::new(indices),
        },
    );
    Reply::json(
        StatusCode::ACCEPTED,
        serde_json::to_vec(&json!({"jobId": id})).expect("json"),
    )
}

fn job_status(app: &App, id: &str) -> Option<Reply> {
    let mut st = app.st.lock().expect("state lock");
    let job = st.jobs.get_mut(id)?;
    job.polls += 1;
    // Deterministic progress: odd jobs show QUEUED then PENDING, even jobs
    // QUEUED only, before the terminal state. No wall clock involved.
    let waiting_polls = 1 + job.seq % 2;
    let state = match job.terminal {
        Some(t) => t,
        None if job.polls > waiting_polls => {
            let t = if job.fail { "FAILED" } else { "FULFILLED" };
            job.terminal = Some(t);
            job.completed_ms = Some(chrono::Utc::now().timestamp_millis());
            t
        }
        None if job.polls == 1 => "QUEUED",
        None => "PENDING",
    };
    let mut body = serde_json::Map::new();
    body.insert("state".into(), state.into());
    body.insert(
        "submissionDate".into(),
        gen::fmt_date(job.submitted_ms).into(),
    );
    if let Some(c) = job.completed_ms {
        body.insert("completionDate".into(), gen::fmt_date(c).into());
        body.insert("expirationDate".into(), gen::fmt_date(c + DAY_MS).into());
    }
    if state == "FAILED" {
        body.insert(
            "errorMessage".into(),
            "The query failed to execute due to an internal error. Please resubmit the job.".into(),
        );
    }
    Some(Reply::json(
        StatusCode::OK,
        serde_json::to_vec(&body).expect("json"),
    ))
}

fn encode_cursor(job: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{job}:{offset}"))
}

fn decode_cursor(job: &str, cursor: &str) -> Option<usize> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (j, off) = raw.rsplit_once(':')?;
    (j == job).then(|| off.parse().ok()).flatten()
}

fn job_results(app: &App, id: &str, query: &str, ctx: &str) -> Option<Reply> {
    let (state, indices) = {
        let st = app.st.lock().expect("state lock");
        let job = st.jobs.get(id)?;
        (job.terminal, job.indices.clone())
    };
    if state != Some("FULFILLED") {
        let shown = state.unwrap_or("PENDING");
        return Some(bad_request(
            &format!("Results are not available for job {id} in state {shown}"),
            ctx,
        ));
    }
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let page_size = match params.get("pageSize").map(|p| p.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return Some(bad_request("pageSize must be between 1 and 1000", ctx)),
    };
    let offset = match params.get("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => match decode_cursor(id, c) {
            Some(o) => o,
            None => return Some(bad_request("Invalid cursor", ctx)),
        },
    };
    let recs = &app.data.records;
    let page = &indices[offset.min(indices.len())..(offset + page_size).min(indices.len())];
    let mut out = Vec::with_capacity(page.len() * 5000 + 128);
    out.extend_from_slice(b"{\"conversations\":[");
    for (k, &i) in page.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&recs[i as usize].json);
    }
    out.push(b']');
    if offset + page_size < indices.len() {
        out.extend_from_slice(b",\"cursor\":\"");
        out.extend_from_slice(encode_cursor(id, offset + page_size).as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b",\"dataAvailabilityDate\":\"");
    gen::push_date(&mut out, app.availability_ms());
    out.extend_from_slice(b"\"}");
    Some(Reply::json(StatusCode::OK, out))
}
