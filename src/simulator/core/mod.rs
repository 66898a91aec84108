//! The vendor-neutral simulator: the axum server, the request log, the
//! fault schedule and the token store both vendors share, and the
//! [`VendorApi`] trait through which one vendor's endpoints plug in. Nothing
//! here names a vendor.

mod faults;
mod handler;
mod ids;
pub(crate) mod json;
mod log;
pub(crate) mod query;
pub(crate) mod records;
mod reply;
pub(crate) mod timeline;
mod tokens;

pub(crate) use faults::RateWindow;
pub(crate) use ids::{random_text, random_uuid};
pub(crate) use reply::Reply;

use super::{ActivityTruth, RequestRecord, SimConfig, TokenUse};
use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use records::Record;
use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which endpoint family a request belongs to; decides its bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// Issues tokens: counted as in flight, delayed by `token_latency`.
    Token,
    /// Unauthenticated documents outside the fault schedule.
    Discovery,
    /// Everything else: authenticated, counted by the fault schedule.
    Api,
}

/// One request as read off the wire.
pub(crate) struct Incoming {
    pub method: Method,
    pub path: String,
    /// Raw query string (without `?`), empty when none.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Random per request; a vendor may echo it as a correlation id.
    pub id: String,
}

impl Incoming {
    /// The form-encoded body; a repeated name keeps its last value.
    pub(crate) fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// The query parameters; a repeated name keeps its last value.
    pub(crate) fn params(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .collect()
    }
}

/// One vendor's API: its endpoints and the shapes of its refusals. The
/// server core decides *when* to refuse; the vendor says *how*.
pub(crate) trait VendorApi: Send + Sync {
    /// Which family `path` belongs to.
    fn endpoint(&self, path: &str) -> Endpoint;
    /// Answers a request of family `endpoint`; for API requests only those
    /// the fault schedule and authentication let through. A granted token
    /// request sets [`Reply::issued`].
    fn respond(&self, app: &App, endpoint: Endpoint, req: &Incoming) -> Reply;
    /// Adds the headers the vendor puts on every response; `rate` is the
    /// presented token's window, on API requests only.
    fn stamp(&self, headers: &mut HeaderMap, rate: Option<&RateWindow>, request_id: &str);
    /// The start of a page, sent before `reset_every` drops the connection.
    fn truncated_page(&self) -> &'static [u8];
    /// The statuses `server_error_every` cycles through.
    fn gateway_errors(&self) -> &'static [u16];
    /// 401 for a token that is not [`TokenUse::Valid`] (or was revoked now).
    fn unauthorized(&self, token: TokenUse, request_id: &str) -> Reply;
    /// The answer during a `throttle_every` burst.
    fn throttled(&self, retry_after: Option<u32>, request_id: &str) -> Reply;
    /// 429 once the per-token budget of `limit` requests is spent.
    fn rate_limited(&self, limit: u32, reset_s: u32, request_id: &str) -> Reply;
    /// The `forbidden` fault's answer, `None` for paths it does not cover.
    fn forbidden(&self, path: &str, request_id: &str) -> Option<Reply>;
    /// Every record served, in start order, for the ground truth.
    fn records(&self) -> &[Record];
    /// Refresh tokens still redeemable, for leak checks.
    fn refresh_tokens(&self) -> Vec<String>;
    /// Every entity of the directory listing `name` (inactive and deleted
    /// ones included), for the ground truth; empty for an unknown name.
    fn directory(&self, name: &str) -> Vec<serde_json::Value>;
    /// The activity periods starting in `[start_ms, end_ms)`; `poll_ms` is
    /// the watermark open periods are measured to where a vendor must.
    fn activity(&self, start_ms: i64, end_ms: i64, poll_ms: i64) -> ActivityTruth;
}

/// A running simulator's state, shared by every request.
pub(crate) struct App {
    pub cfg: SimConfig,
    /// `http://127.0.0.1:PORT`: what documents and links point back at.
    pub base: String,
    pub vendor: Box<dyn VendorApi>,
    log: log::RequestLog,
    tokens_in_flight: AtomicUsize,
    state: Mutex<faults::State>,
}

impl App {
    pub(crate) fn new(cfg: SimConfig, base: String, vendor: Box<dyn VendorApi>) -> App {
        App {
            cfg,
            base,
            vendor,
            log: log::RequestLog::new(),
            tokens_in_flight: AtomicUsize::new(0),
            state: Mutex::new(faults::State::new()),
        }
    }

    /// Stores a freshly issued access token; returns its id.
    pub(crate) fn issue_token(&self, text: String, ttl: Duration) -> u64 {
        self.state
            .lock()
            .expect("state lock")
            .tokens
            .insert(text, ttl)
    }

    /// Every access token issued so far (for leak checks in tests).
    pub(crate) fn issued_tokens(&self) -> Vec<String> {
        self.state.lock().expect("state lock").tokens.texts()
    }

    pub(crate) fn request_log(&self) -> Vec<RequestRecord> {
        self.log.snapshot()
    }

    /// The data watermark: [`SimConfig::data_availability`] or the end of
    /// the interval.
    pub(crate) fn availability_ms(&self) -> i64 {
        self.cfg
            .data_availability
            .unwrap_or(self.cfg.interval.end())
            .timestamp_millis()
    }
}

/// Serves `app` on `listener` until the returned sender fires or drops.
pub(crate) fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
) -> tokio::sync::oneshot::Sender<()> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let router = axum::Router::new()
        .fallback(handler::handle)
        .with_state(app);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    tx
}
