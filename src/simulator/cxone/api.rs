//! The NICE CXone side of the simulator (`SimConfig::vendor` =
//! `Vendor::Cxone`): OIDC discovery, `/auth/token` (password and
//! refresh-token grants, JWT-shaped id token carrying `tenantId`), tenant
//! discovery and `GET .../contacts/completed`, following
//! `shared/vendor-apis/cxone.md`. Logging, faults and authentication of API
//! requests stay in `server.rs`, shared with Genesys; this module only knows
//! CXone's shapes.

use super::data::BUSINESS_UNIT_ID;
use crate::simulator::core::server::{App, Reply};
use crate::simulator::genesys::data as gen;
use crate::simulator::RequestRecord;
use axum::http::{header, HeaderMap, Method, StatusCode};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use bytes::Bytes;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;
/// "A request can cover only 30 days of contacts" (§2.1).
const MAX_RANGE_MS: i64 = 30 * DAY_MS;
/// "will only return 10,000 contacts at a time" (§2.1); also the default.
const MAX_TOP: u64 = 10_000;
const TOKEN_PATH: &str = "/auth/token";
const OPENID: &str = "/.well-known/openid-configuration";
const CXONE_CONFIG: &str = "/.well-known/cxone-configuration";
/// What CXone answers when the client does not ask for JSON (§2.1).
const NO_RENDER: &str = "No known way to render data";

/// Which CXone endpoint family a path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Token,
    /// The two unauthenticated `/.well-known/` documents.
    Discovery,
    /// Everything else: authenticated, counted by the fault schedule.
    Api,
}

pub(crate) fn classify(path: &str) -> Endpoint {
    match path {
        TOKEN_PATH => Endpoint::Token,
        OPENID | CXONE_CONFIG => Endpoint::Discovery,
        _ => Endpoint::Api,
    }
}

/// `true` for `/inContactAPI/services/vNN.0/contacts/completed`, with the
/// prefix in any letter case (clients spell it three ways, §1.5).
pub(crate) fn is_completed_contacts(path: &str) -> bool {
    let Some(rest) = strip_prefix_ci(path, "/incontactapi/services/") else {
        return false;
    };
    let Some((version, tail)) = rest.split_once('/') else {
        return false;
    };
    let number = version
        .strip_prefix(['v', 'V'])
        .and_then(|v| v.strip_suffix(".0"));
    number.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        && tail == "contacts/completed"
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `{"error", "error_description"}`, CXone's documented error body (§1.1,
/// §1.7, §2.1), also echoed in `icStatusDescription` for 4xx since some
/// tenants put the text only there (§1.7).
pub(crate) fn error(status: StatusCode, error: &str, description: &str) -> Reply {
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
// Fault replies (called from `server::decide`).

/// Truncated page for `reset_every`: the connection drops after this.
pub(crate) fn reset_reply() -> Reply {
    Reply {
        reset: true,
        ..Reply::json(
            StatusCode::OK,
            Bytes::from_static(b"{\"totalRecords\":1204,\"_links\":{\"self\":\"http"),
        )
    }
}

/// 401 for a missing, unknown, expired or revoked bearer token.
pub(crate) fn unauthorized(description: &str) -> Reply {
    let mut r = error(StatusCode::UNAUTHORIZED, "invalid_token", description);
    r.headers.push((
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
    ));
    r
}

/// CXone throttles the Reporting API with 503 and the documented error
/// body (§4); `Retry-After` is not promised, so `None` omits it.
pub(crate) fn throttled(retry_after: Option<u32>) -> Reply {
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
pub(crate) fn rate_limited(limit: u32, reset_s: u32) -> Reply {
    Reply {
        retry_after: Some(reset_s),
        ..error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            &format!("Rate limit exceeded: more than {limit} requests within 60 seconds"),
        )
    }
}

pub(crate) fn forbidden() -> Reply {
    error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Forbidden: the API user's role does not allow viewing completed contacts",
    )
}

// ---------------------------------------------------------------------------
// Discovery documents (no authentication).

pub(crate) fn discovery(app: &App, method: &Method, path: &str, query: &str) -> Reply {
    if method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method not allowed",
        );
    }
    let base = &app.base;
    if path == OPENID {
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
    let params: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
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
// `POST /auth/token`.

/// A refresh token: single use (rotated on every refresh grant), valid for
/// twice the access-token lifetime, as legacy CXone did (3600 s / 7200 s).
pub(crate) struct Refresh {
    issued: std::time::Instant,
    ttl: Duration,
}

fn token_headers(mut r: Reply) -> Reply {
    // Required on token answers (§1.1); harmless on errors.
    r.headers.push((
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    ));
    r.headers
        .push((header::PRAGMA, header::HeaderValue::from_static("no-cache")));
    r
}

/// `Authorization: Basic base64(enc(id):enc(secret))`, where enc is the
/// form encoding RFC 6749 §2.3.1 prescribes: a raw `+` in a secret therefore
/// decodes to a space and fails, as on a strict server.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = raw.split_once(':')?;
    let dec = |s: &str| -> String {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((dec(id), dec(secret)))
}

pub(crate) async fn token_endpoint(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    record: &mut RequestRecord,
) -> Reply {
    if !app.cfg.token_latency.is_zero() {
        tokio::time::sleep(app.cfg.token_latency).await;
    }
    token_headers(issue(app, method, headers, body, record))
}

fn issue(
    app: &App,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
    record: &mut RequestRecord,
) -> Reply {
    if method != Method::POST {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method not allowed",
        );
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let cfg = &app.cfg;
    // client_secret_basic is advertised; client_secret_post is accepted too
    // (apps may be registered that way, §1.1).
    let (id, secret) = basic_credentials(headers).unwrap_or_else(|| {
        (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        )
    });
    if id != cfg.client_id || secret != cfg.client_secret {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed: unknown client or wrong client secret",
        );
    }
    let field = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    match field("grant_type") {
        Some("password") => {
            let (Some(user), Some(pass)) = (field("username"), field("password")) else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "username and password are required",
                );
            };
            if user != cfg.access_key_id || pass != cfg.access_key_secret {
                return error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_grant",
                    "Invalid access key id or access key secret",
                );
            }
        }
        Some("refresh_token") => {
            let Some(presented) = field("refresh_token") else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required",
                );
            };
            if field("client_id").is_some_and(|c| c != cfg.client_id) {
                return error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "client_id does not match the authenticated client",
                );
            }
            let mut st = app.st.lock().expect("state lock");
            // Single use: removed whether or not it is still valid.
            let live = st
                .refresh_tokens
                .remove(presented)
                .is_some_and(|r| r.issued.elapsed() < r.ttl);
            if !live {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is invalid, expired or already used",
                );
            }
        }
        Some(_) | None => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be password or refresh_token",
            )
        }
    }

    let ttl = cfg.token_ttl;
    let expires_in = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    let now_s = chrono::Utc::now().timestamp();
    let exp = now_s + expires_in as i64;
    let mut st = app.st.lock().expect("state lock");
    let nonce = random_text(&mut st.rng, 43);
    let refresh = random_text(&mut st.rng, 64);
    let sig = random_text(&mut st.rng, 86);
    let id_sig = random_text(&mut st.rng, 86);
    let iss = &app.base;
    let sub = format!("user:{}", cfg.access_key_id);
    let claims = json!({
        "iss": iss, "sub": sub, "aud": cfg.client_id, "tenantId": cfg.tenant_id,
        "tenant": "sim_tenant", "icBUId": BUSINESS_UNIT_ID, "icClusterId": "C32",
        "iat": now_s, "exp": exp, "jti": nonce,
    });
    let access = jwt(&claims, &sig);
    let id_claims = json!({
        "iss": iss, "sub": sub, "aud": cfg.client_id, "tenantId": cfg.tenant_id,
        "name": "Simulated API User", "iat": now_s, "exp": exp,
    });
    let id_token = jwt(&id_claims, &id_sig);
    let token_id = st.insert_token(access.clone(), ttl);
    st.refresh_tokens.insert(
        refresh.clone(),
        Refresh {
            issued: std::time::Instant::now(),
            ttl: ttl * 2,
        },
    );
    drop(st);
    record.token_id = Some(token_id);
    let body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "refresh_token": refresh,
        "id_token": id_token,
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
    });
    Reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("json"))
}

fn random_text(rng: &mut fastrand::Rng, n: usize) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..n)
        .map(|_| ALPHA[rng.usize(..ALPHA.len())] as char)
        .collect()
}

/// `base64url(header).base64url(claims).sig`: JWT-shaped, unsigned in any
/// checkable way (clients decode it only to route, §1.5).
fn jwt(claims: &serde_json::Value, sig: &str) -> String {
    let head = json!({"alg": "RS256", "typ": "JWT", "kid": "sim-1"});
    format!(
        "{}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(head.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

// ---------------------------------------------------------------------------
// Authenticated API.

pub(crate) fn route(
    app: &App,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
) -> Reply {
    if !is_completed_contacts(path) {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("No resource at {path}"),
        );
    }
    if method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "method not allowed",
        );
    }
    let wants_json = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("application/json"));
    if !wants_json {
        // Neither JSON nor the `{error}` body: the literal text (§2.1),
        // also for `Accept: */*`, which HTTP libraries send by default.
        return Reply {
            status: StatusCode::NOT_ACCEPTABLE,
            body: Bytes::from_static(NO_RENDER.as_bytes()),
            content_type: "text/plain; charset=utf-8",
            retry_after: None,
            reset: false,
            headers: Vec::new(),
        };
    }
    completed_contacts(app, path, query)
}

fn bad(description: &str) -> Reply {
    error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn completed_contacts(app: &App, path: &str, query: &str) -> Reply {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    };
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
    let top = match get("top").map(str::parse::<u64>) {
        None => MAX_TOP,
        Some(Ok(n)) if (1..=MAX_TOP).contains(&n) => n,
        Some(_) => return bad("Invalid top"),
    };
    let skip = match get("skip").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(_) => return bad("Invalid skip"),
    };
    if let Some(o) = get("orderBy") {
        if !order_by_ok(o) {
            return bad("Invalid orderby arguments");
        }
    }
    // Filter on contact start, half-open; storage order is start then id.
    let recs = &app.data.records;
    let lo = recs.partition_point(|r| r.start_ms < s);
    let hi = recs.partition_point(|r| r.start_ms < e);
    let total = (hi - lo) as u64;
    if total == 0 {
        // "No Contacts for the specified period": 204 with no body at all.
        return Reply {
            status: StatusCode::NO_CONTENT,
            body: Bytes::new(),
            content_type: "",
            retry_after: None,
            reset: false,
            headers: Vec::new(),
        };
    }
    let from = lo + skip.min(total) as usize;
    let to = (from + top as usize).min(hi);
    let link = |skip: u64| {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        let mut replaced = false;
        for (k, v) in &params {
            if k.eq_ignore_ascii_case("skip") {
                ser.append_pair(k, &skip.to_string());
                replaced = true;
            } else {
                ser.append_pair(k, v);
            }
        }
        if !replaced {
            ser.append_pair("skip", &skip.to_string());
        }
        format!("{}{path}?{}", app.base, ser.finish())
    };
    let self_link = if query.is_empty() {
        format!("{}{path}", app.base)
    } else {
        format!("{}{path}?{query}", app.base)
    };
    let next = (skip + top < total).then(|| link(skip + top));
    let previous = (skip > 0).then(|| link(skip.saturating_sub(top)));
    let links = json!({"self": self_link, "next": next, "previous": previous});

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
    gen::push_date(&mut out, app.availability_ms());
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

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut h = HeaderMap::new();
        let enc = STANDARD.encode("app%40vendor:s%2Fk%3Dx%2By");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {enc}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&h),
            Some(("app@vendor".into(), "s/k=x+y".into()))
        );
        let raw_plus = STANDARD.encode("app:x+y");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {raw_plus}").parse().unwrap(),
        );
        assert_eq!(basic_credentials(&h), Some(("app".into(), "x y".into())));
    }
}
