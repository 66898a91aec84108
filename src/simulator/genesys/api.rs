//! Genesys Cloud's token endpoint, request routing and synchronous details
//! query, with the platform's error bodies (`shared/vendor-apis/genesys.md` §1-§2).

use super::jobs::Family;
use super::{listing, Genesys};
use crate::simulator::core::json::fmt_date;
use crate::simulator::core::{random_text, App, Incoming, Reply};
use axum::http::{header, Method, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

pub(super) const DAY_MS: i64 = 86_400_000;
const DETAILS: &str = "/api/v2/analytics/conversations/details";
const USER_DETAILS: &str = "/api/v2/analytics/users/details";

/// The platform error body every `/api/v2/...` endpoint answers with
/// (§1.4); `contextId` echoes `inin-correlation-id`.
pub(super) fn platform_error(
    status: StatusCode,
    code: &str,
    message: &str,
    context_id: &str,
) -> Reply {
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

pub(super) fn bad_request(message: &str, ctx: &str) -> Reply {
    platform_error(StatusCode::BAD_REQUEST, "bad.request", message, ctx)
}

/// Token endpoint errors are OAuth-shaped, not platform errors (§1.3).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    let body =
        json!({"error": error, "description": description, "error_description": description});
    Reply::json(status, serde_json::to_vec(&body).expect("static json"))
}

/// A 429 in the platform shape (§5.2).
pub(super) fn throttled(limit: u32, retry_after: Option<u32>, ctx: &str) -> Reply {
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

impl Genesys {
    pub(super) fn token(&self, app: &App, req: &Incoming) -> Reply {
        if req.method != Method::POST {
            return oauth_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "method not allowed",
            );
        }
        let form = req.form();
        // Basic auth is what the SDK sends; the form-body variant (Airbyte) is
        // accepted too.
        let basic = req
            .headers
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
        let text = random_text(&mut self.rng.lock().expect("rng lock"), 86);
        let id = app.issue_token(text.clone(), ttl);
        let body = json!({"access_token": text, "token_type": "bearer", "expires_in": expires_in});
        Reply {
            issued: Some(id),
            ..Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
        }
    }

    pub(super) fn route(&self, app: &App, req: &Incoming) -> Reply {
        let ctx = req.id.as_str();
        let not_found = || {
            platform_error(
                StatusCode::NOT_FOUND,
                "not.found",
                "The requested operation failed with status 404",
                ctx,
            )
        };
        if req.method == Method::GET {
            if let Some(r) = listing::serve(&self.directory, &req.path, &req.query, ctx) {
                return r;
            }
        }
        let (family, rest) = match req.path.strip_prefix(DETAILS) {
            Some(rest) => (Family::Conversations, rest),
            None => match req.path.strip_prefix(USER_DETAILS) {
                Some(rest) => (Family::Users, rest),
                None => return not_found(),
            },
        };
        let segs: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
        match (&req.method, segs.as_slice(), family) {
            (&Method::POST, ["query"], Family::Conversations) => self.details_query(&req.body, ctx),
            (&Method::POST, ["query"], Family::Users) => self.user_details_query(&req.body, ctx),
            (&Method::POST, ["jobs"], Family::Conversations) => {
                self.create_job(app, &req.body, ctx)
            }
            (&Method::POST, ["jobs"], Family::Users) => self.create_user_job(app, &req.body, ctx),
            (&Method::GET, ["jobs", "availability"], _) => {
                let body = json!({"dataAvailabilityDate": fmt_date(app.availability_ms())});
                Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
            }
            (&Method::GET, ["jobs", id], _) => {
                self.job_status(app, family, id).unwrap_or_else(not_found)
            }
            (&Method::DELETE, ["jobs", id], _) => {
                self.delete_job(family, id).unwrap_or_else(not_found)
            }
            (&Method::GET, ["jobs", id, "results"], _) => self
                .job_results(app, family, id, &req.params(), ctx)
                .unwrap_or_else(not_found),
            _ => not_found(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Paging {
    page_size: Option<i64>,
    page_number: Option<i64>,
}

/// `(pageSize, pageNumber)`: 25 and 1 by default, pageSize at most 100.
pub(super) fn paging(p: Option<&Paging>, ctx: &str) -> Result<(i64, i64), Reply> {
    let page_size = p.and_then(|p| p.page_size).unwrap_or(25);
    let page_number = p.and_then(|p| p.page_number).unwrap_or(1);
    if !(1..=100).contains(&page_size) {
        return Err(bad_request(
            &format!("pageSize {page_size} is out of range: maximum is 100"),
            ctx,
        ));
    }
    if page_number < 1 {
        return Err(bad_request(
            &format!("pageNumber {page_number} is out of range: minimum is 1"),
            ctx,
        ));
    }
    Ok((page_size, page_number))
}

/// "not to exceed 7 days if you provide no filters and 31 days if you do"
/// (§2, and users §2.1 [DEVDOC-UQ]): the 400 beyond.
pub(super) fn check_span(s: i64, e: i64, filtered: bool, ctx: &str) -> Result<(), Reply> {
    let max_days = if filtered { 31 } else { 7 };
    if e - s <= max_days * DAY_MS {
        return Ok(());
    }
    let tail = if filtered {
        ""
    } else {
        " when no filters are supplied"
    };
    Err(bad_request(
        &format!("The query interval exceeds the maximum of {max_days} days{tail}"),
        ctx,
    ))
}

/// The fields of `ConversationQuery` / `AsyncConversationQuery` the
/// simulator acts on. Filters are accepted (they widen the interval limit)
/// but not applied.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct QueryBody {
    interval: Option<String>,
    order: Option<String>,
    order_by: Option<String>,
    paging: Option<Paging>,
    conversation_filters: Option<Vec<serde_json::Value>>,
    segment_filters: Option<Vec<serde_json::Value>>,
    pub start_of_day_interval_matching: Option<bool>,
    pub limit: Option<i64>,
}

impl QueryBody {
    fn has_filters(&self) -> bool {
        self.conversation_filters
            .as_ref()
            .is_some_and(|f| !f.is_empty())
            || self.segment_filters.as_ref().is_some_and(|f| !f.is_empty())
    }
    /// `true` = descending.
    pub(super) fn descending(&self) -> Result<bool, String> {
        descending(self.order.as_deref())
    }
}

/// `order`: `true` = descending; `unordered` is served ascending.
pub(super) fn descending(order: Option<&str>) -> Result<bool, String> {
    match order {
        None | Some("asc") | Some("unordered") => Ok(false),
        Some("desc") => Ok(true),
        Some(o) => Err(format!(
            "Invalid order '{o}'. Valid values: asc, desc, unordered"
        )),
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

/// A details query body and its interval (ms), or the 400 either earns.
pub(super) fn parse_query(body: &[u8], ctx: &str) -> Result<(QueryBody, (i64, i64)), Reply> {
    let q = parse_body(body).map_err(|m| bad_request(&m, ctx))?;
    let interval = parse_interval(q.interval.as_deref()).map_err(|m| bad_request(&m, ctx))?;
    Ok((q, interval))
}

/// `start/end` ISO-8601 → epoch ms, start < end.
pub(super) fn parse_interval(s: Option<&str>) -> Result<(i64, i64), String> {
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

impl Genesys {
    fn details_query(&self, body: &[u8], ctx: &str) -> Reply {
        let (q, (s, e)) = match parse_query(body, ctx) {
            Ok(x) => x,
            Err(r) => return r,
        };
        let (page_size, page_number) = match check_span(s, e, q.has_filters(), ctx)
            .and_then(|()| paging(q.paging.as_ref(), ctx))
        {
            Ok(p) => p,
            Err(r) => return r,
        };
        // Daily indexes keyed on start: every UTC day the interval touches.
        let day_lo = s.div_euclid(DAY_MS) * DAY_MS;
        let day_hi = ((e - 1).div_euclid(DAY_MS) + 1) * DAY_MS;
        let recs = &self.data.records;
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
                self.data.push_without_attributes(idx(k), &mut out);
            }
            out.extend_from_slice(b"],\"totalHits\":");
        }
        out.extend_from_slice(total.to_string().as_bytes());
        out.push(b'}');
        Reply::json(StatusCode::OK, out)
    }
}
