//! The one handler every request goes through, so every response (faults
//! included) gets the same bookkeeping: log record, latency, headers.

use super::faults::decide;
use super::log::fnv;
use super::{random_uuid, App, Endpoint, Incoming};
use crate::simulator::{RequestKind, RequestRecord, TokenUse};
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub(super) async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let (received_ms, seq) = app.log.arrive();
    let (parts, body) = req.into_parts();
    let req = Incoming {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body: to_bytes(body, 64 << 20).await.unwrap_or_default(),
        id: random_uuid(&mut fastrand::Rng::new()),
    };
    let key = format!(
        "{} {}?{} #{:016x}",
        req.method,
        req.path,
        req.query,
        fnv(&req.body)
    );
    let mut record = RequestRecord {
        seq,
        received_ms,
        responded_ms: 0.0,
        method: req.method.to_string(),
        path: req.path.clone(),
        query: req.query.clone(),
        key,
        status: 0,
        retry_after: None,
        kind: RequestKind::Api,
        token: TokenUse::Missing,
        token_id: None,
        concurrent_token_requests: 0,
    };

    let endpoint = app.vendor.endpoint(&req.path);
    let mut rate = None;
    let reply = match endpoint {
        Endpoint::Token => {
            record.kind = RequestKind::Token;
            let in_flight = app.tokens_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            record.concurrent_token_requests = in_flight;
            pause(app.cfg.token_latency).await;
            let reply = app.vendor.respond(&app, endpoint, &req);
            app.tokens_in_flight.fetch_sub(1, Ordering::SeqCst);
            record.token_id = reply.issued;
            reply
        }
        Endpoint::Discovery => {
            // Unauthenticated and outside the fault schedule: a client
            // meets it once per run, before any page.
            record.kind = RequestKind::Discovery;
            record.concurrent_token_requests = app.tokens_in_flight.load(Ordering::SeqCst);
            let reply = app.vendor.respond(&app, endpoint, &req);
            pause(app.cfg.page_latency).await;
            reply
        }
        Endpoint::Api => {
            record.concurrent_token_requests = app.tokens_in_flight.load(Ordering::SeqCst);
            let d = decide(&app, bearer(&req.headers).as_deref(), &req.path, &req.id);
            record.token = d.token;
            record.token_id = d.token_id;
            rate = Some(d.rate);
            let reply = d
                .reply
                .unwrap_or_else(|| app.vendor.respond(&app, endpoint, &req));
            pause(app.cfg.page_latency).await;
            reply
        }
    };

    let mut headers = HeaderMap::new();
    app.vendor.stamp(&mut headers, rate.as_ref(), &req.id);
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
    record.responded_ms = app.log.ms();
    app.log.push(record);
    reply.into_response(headers)
}

async fn pause(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

fn bearer(h: &HeaderMap) -> Option<String> {
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, tok) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| tok.trim().to_string())
}
