//! CXone's discovery documents, request routing, `GET .../contacts/completed`
//! and the shapes of its refusals (`shared/vendor-apis/cxone.md`).

use super::activity::STATE_HISTORY;
use super::data::BUSINESS_UNIT_ID;
use super::{admin, Cxone};
use crate::simulator::core::json::push_date;
use crate::simulator::core::records::Record;
use crate::simulator::core::{query, App, Endpoint, Incoming, Reply};
use axum::http::{header, Method, StatusCode};
use bytes::Bytes;
use serde_json::json;

const DAY_MS: i64 = 86_400_000;
/// "A request can cover only 30 days of contacts" (§2.1).
const MAX_RANGE_MS: i64 = 30 * DAY_MS;
/// "will only return 10,000 contacts at a time" (§2.1); also the default.
const MAX_TOP: u64 = 10_000;
const TOKEN_PATH: &str = "/auth/token";
const COMPLETED: &str = "contacts/completed";
const OPENID: &str = "/.well-known/openid-configuration";
const CXONE_CONFIG: &str = "/.well-known/cxone-configuration";
/// What CXone answers when the client does not ask for JSON (§2.1).
const NO_RENDER: &str = "No known way to render data";

/// `/auth/token` issues tokens; the two `/.well-known/` documents need no
/// authentication; everything else is API.
pub(super) fn classify(path: &str) -> Endpoint {
    match path {
        TOKEN_PATH => Endpoint::Token,
        OPENID | CXONE_CONFIG => Endpoint::Discovery,
        _ => Endpoint::Api,
    }
}

/// The resource after `/inContactAPI/services/vNN.0/`, with the prefix in
/// any letter case (clients spell it three ways, §1.5).
pub(super) fn resource(path: &str) -> Option<&str> {
    let rest = strip_prefix_ci(path, "/incontactapi/services/")?;
    let (version, tail) = rest.split_once('/')?;
    let number = version
        .strip_prefix(['v', 'V'])
        .and_then(|v| v.strip_suffix(".0"));
    number
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .then_some(tail)
}

/// `true` for `/inContactAPI/services/vNN.0/contacts/completed`.
pub(super) fn is_completed_contacts(path: &str) -> bool {
    resource(path) == Some(COMPLETED)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `{"error", "error_description"}`, CXone's documented error body (§1.1,
/// §1.7, §2.1), also echoed in `icStatusDescription` for 4xx since some
/// tenants put the text only there (§1.7).
pub(super) fn error(status: StatusCode, error: &str, description: &str) -> Reply {
    let body = json!({"error": error, "error_description": description});
    let mut r = Reply::json(status, serde_json::to_vec(&body).expect("static json"));
    if status.is_client_error() {
        if let Ok(v) = header::HeaderValue::from_str(description) {
            r.headers
                .push((header::HeaderName::from_static("icstatusdescription"), v));
        }
    }
    r
}

// ---------------------------------------------------------------------------
// Fault replies.

/// 401 for a missing, unknown, expired or revoked bearer token.
pub(super) fn unauthorized(description: &str) -> Reply {
    let mut r = error(StatusCode::UNAUTHORIZED, "invalid_token", description);
    r.headers.push((
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
    ));
    r
}

/// CXone throttles the Reporting API with 503 and the documented error
/// body (§4); `Retry-After` is not promised, so `None` omits it.
pub(super) fn throttled(retry_after: Option<u32>) -> Reply {
    Reply {
        retry_after,
        ..error(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "The service is temporarily unavailable because of high load. Please retry later.",
        )
    }
}

/// 429 once the per-token budget is spent (seen in practice, §4).
pub(super) fn rate_limited(limit: u32, reset_s: u32) -> Reply {
    Reply {
        retry_after: Some(reset_s),
        ..error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            &format!("Rate limit exceeded: more than {limit} requests within 60 seconds"),
        )
    }
}

pub(super) fn forbidden() -> Reply {
    error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Forbidden: the API user's role does not allow viewing completed contacts",
    )
}

// ---------------------------------------------------------------------------
// Discovery documents (no authentication).

pub(super) fn discovery(app: &App, req: &Incoming) -> Reply {
    if req.method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method not allowed",
        );
    }
    let base = &app.base;
    if req.path == OPENID {
        let body = json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/auth/authorize"),
            "token_endpoint": format!("{base}{TOKEN_PATH}"),
            "end_session_endpoint": format!("{base}/auth/logout"),
            "jwks_uri": format!("{base}/auth/jwks"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "password", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid"],
            "code_challenge_methods_supported": ["S256"],
        });
        return Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"));
    }
    let params = req.params();
    let Some(tenant) = params.get("tenantId").filter(|t| !t.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "tenantId is required",
        );
    };
    if !tenant.eq_ignore_ascii_case(&app.cfg.tenant_id) {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("Tenant {tenant} not found"),
        );
    }
    let body = json!({
        "private": false,
        "ui_endpoint": base,
        "auth_endpoint": base,
        "api_endpoint": base,
        "area": "na1",
        "cluster": "C32",
        "domain": "niceincontact.com",
        "acdDomain": "nice-incontact.com",
        "uhDomain": "nice-incontact.com",
        "tenantId": app.cfg.tenant_id,
        "globaldomain": "niceincontact.com",
    });
    Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
}

// ---------------------------------------------------------------------------
// Authenticated API.

pub(super) fn route(cx: &Cxone, app: &App, req: &Incoming) -> Reply {
    let path = req.path.as_str();
    let not_found = || {
        error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("No resource at {path}"),
        )
    };
    let Some(resource) =
        resource(path).filter(|r| *r == COMPLETED || *r == STATE_HISTORY || admin::is_listing(r))
    else {
        return not_found();
    };
    if req.method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method not allowed",
        );
    }
    let wants_json = req
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("application/json"));
    if !wants_json {
        // Neither JSON nor the `{error}` body: the literal text (§2.1),
        // also for `Accept: */*`, which HTTP libraries send by default.
        // Documented for completed contacts; the admin listings run on the
        // same API host, so the simulator answers them alike (inference).
        return Reply::new(
            StatusCode::NOT_ACCEPTABLE,
            "text/plain; charset=utf-8",
            Bytes::from_static(NO_RENDER.as_bytes()),
        );
    }
    match resource {
        COMPLETED => completed_contacts(&cx.records, app, path, &req.query),
        STATE_HISTORY => cx.activity.serve(app, path, &req.query),
        _ => admin::serve(&cx.directory, app, path, resource, &req.query).unwrap_or_else(not_found),
    }
}

pub(super) fn bad(description: &str) -> Reply {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn completed_contacts(records: &[Record], app: &App, path: &str, query: &str) -> Reply {
    let params = query::parse(query);
    let get = |k: &str| query::get(&params, k);
    let date = |k: &str| {
        get(k).map(|v| {
            chrono::DateTime::parse_from_rfc3339(v.trim())
                .map(|t| t.timestamp_millis())
                .map_err(|_| ())
        })
    };
    let (s, e) = match (date("startDate"), date("endDate")) {
        (Some(Ok(s)), Some(Ok(e))) => (s, e),
        (None, None) if get("updatedSince").is_some() => {
            return bad("updatedSince is not supported by the simulator; use startDate/endDate")
        }
        _ => return bad("Invalid startDate/endDate/updatedSince"),
    };
    if s >= e || e - s > MAX_RANGE_MS {
        return bad("Invalid DateRange");
    }
    let (top, skip) = match top_skip(&params, MAX_TOP, MAX_TOP) {
        Ok(x) => x,
        Err(m) => return bad(&m),
    };
    if let Some(o) = get("orderBy") {
        if !order_by_ok(o) {
            return bad("Invalid orderby arguments");
        }
    }
    // Filter on contact start, half-open; storage order is start then id.
    let recs = records;
    let lo = recs.partition_point(|r| r.start_ms < s);
    let hi = recs.partition_point(|r| r.start_ms < e);
    let total = (hi - lo) as u64;
    if total == 0 {
        // "No Contacts for the specified period": 204 with no body at all.
        return Reply::new(StatusCode::NO_CONTENT, "", Bytes::new());
    }
    let from = lo + skip.min(total) as usize;
    let to = (from + top as usize).min(hi);
    let links = links(app, path, query, &params, skip, top, total);

    let mut out = Vec::with_capacity((to - from) * 1700 + 512);
    out.extend_from_slice(b"{\"totalRecords\":");
    out.extend_from_slice(total.to_string().as_bytes());
    out.extend_from_slice(b",\"_links\":");
    out.extend_from_slice(links.to_string().as_bytes());
    out.extend_from_slice(b",\"businessUnitId\":");
    out.extend_from_slice(BUSINESS_UNIT_ID.to_string().as_bytes());
    // The data's own watermark rather than the wall clock, so equal
    // requests give byte-identical pages (capture/replay, benchmarks).
    out.extend_from_slice(b",\"lastPollTime\":\"");
    push_date(&mut out, app.availability_ms());
    out.extend_from_slice(b"\",\"completedContacts\":[");
    for (k, r) in recs[from..to].iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&r.json);
    }
    out.extend_from_slice(b"]}");
    Reply::json(StatusCode::OK, out)
}

/// The 400 text for the first parameter not in `allowed` (any letter
/// case): what the simulator would not honour it refuses, never ignores.
pub(super) fn refuse_others(params: &[(String, String)], allowed: &[&str]) -> Result<(), String> {
    match params
        .iter()
        .find(|(k, _)| !allowed.iter().any(|a| a.eq_ignore_ascii_case(k)))
    {
        Some((k, _)) => Err(format!("Parameter '{k}' is not supported by the simulator")),
        None => Ok(()),
    }
}

/// `top` (1 to `max`, `default` when absent) and `skip` (0 when absent),
/// or the 400 text.
pub(super) fn top_skip(
    params: &[(String, String)],
    default: u64,
    max: u64,
) -> Result<(u64, u64), String> {
    let top = match query::get(params, "top").map(str::parse::<u64>) {
        None => default,
        Some(Ok(n)) if (1..=max).contains(&n) => n,
        Some(_) => return Err("Invalid top".into()),
    };
    let skip = match query::get(params, "skip").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(_) => return Err("Invalid skip".into()),
    };
    Ok((top, skip))
}

/// `_links` of a skip/top page: `self` as requested, `next` and `previous`
/// the same request with `skip` moved by `top` (absent at either end).
pub(super) fn links(
    app: &App,
    path: &str,
    query: &str,
    params: &[(String, String)],
    skip: u64,
    top: u64,
    total: u64,
) -> serde_json::Value {
    let link = |skip: u64| {
        let q = query::with(params, &[("skip", skip.to_string())]);
        format!("{}{path}?{q}", app.base)
    };
    let self_link = if query.is_empty() {
        format!("{}{path}", app.base)
    } else {
        format!("{}{path}?{query}", app.base)
    };
    let next = (skip + top < total).then(|| link(skip + top));
    let previous = (skip > 0).then(|| link(skip.saturating_sub(top)));
    json!({"self": self_link, "next": next, "previous": previous})
}

/// `field [asc]` items over fields the data is already ordered by. The
/// simulator always serves start-then-id order, so it refuses orders it
/// would not honour (descending, other fields) instead of ignoring them.
fn order_by_ok(o: &str) -> bool {
    o.split(',').all(|item| {
        let mut words = item.split_whitespace();
        let field = words.next().unwrap_or("");
        let dir = words.next().unwrap_or("asc");
        words.next().is_none()
            && dir.eq_ignore_ascii_case("asc")
            && ["contactStartDate", "contactStart", "contactId"]
                .iter()
                .any(|f| f.eq_ignore_ascii_case(field))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_contacts_path_is_case_insensitive_and_versioned() {
        for p in [
            "/inContactAPI/services/v34.0/contacts/completed",
            "/incontactapi/services/v21.0/contacts/completed",
            "/incontactApi/services/V8.0/contacts/completed",
        ] {
            assert!(is_completed_contacts(p), "{p}");
        }
        for p in [
            "/inContactAPI/services/v34.1/contacts/completed",
            "/inContactAPI/services/34.0/contacts/completed",
            "/inContactAPI/services/v.0/contacts/completed",
            "/inContactAPI/services/v34.0/contacts/active",
            "/inContactAPI/services/v34.0/contacts/completed/1",
        ] {
            assert!(!is_completed_contacts(p), "{p}");
        }
    }

    #[test]
    fn order_by_accepts_only_what_is_served() {
        assert!(order_by_ok("contactStartDate asc"));
        assert!(order_by_ok("contactStartDate,contactId asc"));
        assert!(!order_by_ok("contactStartDate desc"));
        assert!(!order_by_ok("lastUpdateTime asc"));
    }
}
