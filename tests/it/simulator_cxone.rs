//! Black-box tests of the NICE CXone simulator over real HTTP, against the
//! facts in `shared/vendor-apis/cxone.md`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use cxetl::simulator::{self, Faults, RequestKind, SimConfig, Simulator, TokenUse};
use cxetl::{Interval, Vendor};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

/// An application secret with the characters that break naive Basic auth.
const APP_SECRET: &str = "app/sec=ret+1";

fn config(contacts: usize) -> SimConfig {
    SimConfig {
        vendor: Vendor::Cxone,
        conversations: contacts,
        client_id: "app@vendor".to_string(),
        client_secret: APP_SECRET.to_string(),
        ..SimConfig::default()
    }
}

async fn start(cfg: SimConfig) -> Simulator {
    simulator::start(cfg, 0).await.unwrap()
}

fn iv(a: &str, b: &str) -> Interval {
    Interval::parse(a, b).unwrap()
}

fn pct(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

struct TokenAnswer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

/// `POST /auth/token` with `Authorization: Basic base64(user:pass)` exactly
/// as given (callers decide about percent-encoding) and a raw form body.
async fn token_raw(sim: &Simulator, user: &str, pass: &str, body: String) -> TokenAnswer {
    let basic = STANDARD.encode(format!("{user}:{pass}"));
    let r = reqwest::Client::new()
        .post(format!("{}/auth/token", sim.login_url()))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    TokenAnswer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

/// The password grant the way the CXone source sends it.
async fn password_grant(sim: &Simulator) -> TokenAnswer {
    let cfg = sim.config();
    token_raw(
        sim,
        &pct(&cfg.client_id),
        &pct(&cfg.client_secret),
        form(&[
            ("grant_type", "password"),
            ("username", &cfg.access_key_id),
            ("password", &cfg.access_key_secret),
        ]),
    )
    .await
}

async fn access_token(sim: &Simulator) -> String {
    let t = password_grant(sim).await;
    assert_eq!(t.status, 200, "{}", t.body);
    t.body["access_token"].as_str().unwrap().to_string()
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Page {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn get(url: &str, token: Option<&str>, accept: Option<&str>) -> Page {
    let mut rb = reqwest::Client::new().get(url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(a) = accept {
        rb = rb.header("accept", a);
    }
    let r = rb.send().await.unwrap();
    Page {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        text: r.text().await.unwrap(),
    }
}

fn completed_url(sim: &Simulator, start: &str, end: &str, top: u64, skip: u64) -> String {
    format!(
        "{}?{}",
        sim.cxone_completed_url(),
        form(&[
            ("startDate", start),
            ("endDate", end),
            ("top", &top.to_string()),
            ("skip", &skip.to_string()),
            ("orderBy", "contactStartDate asc"),
        ])
    )
}

/// Reads a number sent as a JSON number or as a string (legacy payloads).
fn lenient_f64(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// What a lenient client extracts from one record, `None` for a record it
/// must quarantine.
fn parse_contact(c: &Value) -> Option<(i64, i64, i64)> {
    let id = c.get("contactId")?.as_i64()?;
    let start = c
        .get("contactStartDate")
        .or_else(|| c.get("contactStart"))?
        .as_str()?;
    let start = chrono::DateTime::parse_from_rfc3339(start).ok()?;
    let dur = lenient_f64(c.get("totalDurationSeconds")?)?;
    Some((id, start.timestamp_millis(), (dur * 1000.0).round() as i64))
}

/// Pages `[start, end)` with top/skip until 204, an empty array or a short
/// page; returns every record and the number of requests made.
async fn fetch_all(
    sim: &Simulator,
    token: &str,
    start: &str,
    end: &str,
    top: u64,
) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut requests = 0;
    let mut skip = 0;
    loop {
        let p = get(
            &completed_url(sim, start, end, top, skip),
            Some(token),
            Some("application/json"),
        )
        .await;
        requests += 1;
        if p.status == 204 {
            assert!(p.text.is_empty());
            break;
        }
        assert_eq!(p.status, 200, "{}", p.text);
        let body = p.json();
        let page = body["completedContacts"].as_array().unwrap().clone();
        let n = page.len() as u64;
        out.extend(page);
        if n == 0 || n < top {
            break;
        }
        skip += n;
    }
    (out, requests)
}

#[tokio::test]
async fn defaults_keep_genesys_and_name_the_vendor() {
    let d = SimConfig::default();
    assert_eq!(d.vendor, Vendor::Genesys);
    assert_eq!(d.api_version, "v34.0");
    let sim = start(config(10)).await;
    assert_eq!(sim.vendor(), Vendor::Cxone);
    assert_eq!(
        sim.cxone_completed_url(),
        format!(
            "{}/inContactAPI/services/v34.0/contacts/completed",
            sim.api_url()
        )
    );
}

#[tokio::test]
async fn discovery_documents_lead_to_the_token_endpoint_and_the_api() {
    let sim = start(config(10)).await;
    let oidc = get(
        &format!("{}/.well-known/openid-configuration", sim.login_url()),
        None,
        None,
    )
    .await;
    assert_eq!(oidc.status, 200);
    let o = oidc.json();
    assert_eq!(o["issuer"], sim.login_url().as_str());
    assert_eq!(
        o["token_endpoint"],
        format!("{}/auth/token", sim.login_url()).as_str()
    );
    assert_eq!(
        o["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic"])
    );
    assert!(o["authorization_endpoint"].is_string() && o["end_session_endpoint"].is_string());

    let tenant = sim.config().tenant_id.clone();
    let cfg_url = format!(
        "{}/.well-known/cxone-configuration?tenantId={tenant}",
        sim.login_url()
    );
    let c = get(&cfg_url, None, None).await;
    assert_eq!(c.status, 200);
    let c = c.json();
    assert_eq!(c["api_endpoint"], sim.api_url().as_str());
    assert_eq!(c["tenantId"], tenant.as_str());
    assert_eq!(c["private"], false);
    for k in [
        "ui_endpoint",
        "auth_endpoint",
        "area",
        "cluster",
        "domain",
        "acdDomain",
        "uhDomain",
        "globaldomain",
    ] {
        assert!(c[k].is_string(), "{k}");
    }

    let unknown = get(
        &format!(
            "{}/.well-known/cxone-configuration?tenantId=00000000-0000-0000-0000-000000000000",
            sim.login_url()
        ),
        None,
        None,
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"].is_string());

    let log = sim.request_log();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|r| r.kind == RequestKind::Discovery));
}

#[tokio::test]
async fn password_grant_with_percent_encoded_basic_credentials() {
    let sim = start(config(10)).await;
    let t = password_grant(&sim).await;
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.headers["cache-control"], "no-store");
    assert_eq!(t.headers["pragma"], "no-cache");
    let b = &t.body;
    assert_eq!(b["token_type"], "Bearer");
    assert_eq!(b["expires_in"], 3600);
    assert!(b["refresh_token"].is_string());
    assert!(b.get("resource_server_base_uri").is_none());
    let id = claims(b["id_token"].as_str().unwrap());
    assert_eq!(id["tenantId"], sim.config().tenant_id.as_str());
    assert_eq!(id["iss"], sim.login_url().as_str());
    assert!(id["sub"].as_str().unwrap().starts_with("user:"));
    assert!(id["exp"].is_i64());
    assert!(sim
        .issued_tokens()
        .contains(&b["access_token"].as_str().unwrap().to_string()));

    // The same secret not percent-encoded: its raw `+` is form-decoded to a
    // space, as on a strict server, so the client is unknown.
    let cfg = sim.config();
    let raw = token_raw(
        &sim,
        &cfg.client_id,
        APP_SECRET,
        form(&[
            ("grant_type", "password"),
            ("username", &cfg.access_key_id),
            ("password", &cfg.access_key_secret),
        ]),
    )
    .await;
    assert_eq!(raw.status, 401);
    assert_eq!(raw.body["error"], "invalid_client");

    // The access key secret unescaped in the form body (`+` → space).
    let body = format!(
        "grant_type=password&username={}&password={}",
        cfg.access_key_id, cfg.access_key_secret
    );
    let raw = token_raw(&sim, &pct(&cfg.client_id), &pct(APP_SECRET), body).await;
    assert_eq!(raw.status, 401);
    assert_eq!(raw.body["error"], "invalid_grant");
}

#[tokio::test]
async fn wrong_client_or_key_gets_the_documented_401_bodies() {
    let sim = start(config(10)).await;
    let cfg = sim.config().clone();
    let grant = |key: &str| {
        form(&[
            ("grant_type", "password"),
            ("username", &cfg.access_key_id),
            ("password", key),
        ])
    };
    let wrong_client = token_raw(
        &sim,
        &pct(&cfg.client_id),
        &pct("not-the-secret"),
        grant(&cfg.access_key_secret),
    )
    .await;
    assert_eq!(wrong_client.status, 401);
    assert_eq!(wrong_client.body["error"], "invalid_client");
    assert!(wrong_client.body["error_description"].is_string());

    let wrong_key = token_raw(
        &sim,
        &pct(&cfg.client_id),
        &pct(&cfg.client_secret),
        grant("wrong"),
    )
    .await;
    assert_eq!(wrong_key.status, 401);
    assert_eq!(wrong_key.body["error"], "invalid_grant");
    assert!(wrong_key.body["error_description"].is_string());

    let unsupported = token_raw(
        &sim,
        &pct(&cfg.client_id),
        &pct(&cfg.client_secret),
        form(&[("grant_type", "client_credentials")]),
    )
    .await;
    assert_eq!(unsupported.status, 400);
    assert_eq!(unsupported.body["error"], "unsupported_grant_type");
    assert!(sim.issued_tokens().is_empty());
}

#[tokio::test]
async fn refresh_grant_rotates_and_unknown_refresh_tokens_are_invalid_grant() {
    let sim = start(config(10)).await;
    let cfg = sim.config().clone();
    let first = password_grant(&sim).await;
    let r1 = first.body["refresh_token"].as_str().unwrap().to_string();
    let refresh = |r: String| {
        let cfg = cfg.clone();
        let sim = &sim;
        async move {
            token_raw(
                sim,
                &pct(&cfg.client_id),
                &pct(&cfg.client_secret),
                form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &r),
                    ("client_id", &cfg.client_id),
                ]),
            )
            .await
        }
    };
    let second = refresh(r1.clone()).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let b = &second.body;
    assert!(b["id_token"].is_string() && b["refresh_token"].is_string());
    assert_ne!(b["refresh_token"], r1.as_str());
    assert_ne!(b["access_token"], first.body["access_token"]);
    let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-23T00:00:00Z", 5, 0);
    let page = get(&url, b["access_token"].as_str(), Some("application/json")).await;
    assert_eq!(page.status, 200);

    // Used once: a second redemption is refused, so is a made-up token,
    // with 400 invalid_grant so the client falls back to the password grant.
    for r in [r1, "never-issued".to_string()] {
        let again = refresh(r).await;
        assert_eq!(again.status, 400);
        assert_eq!(again.body["error"], "invalid_grant");
    }
    assert_eq!(sim.issued_refresh_tokens().len(), 1);
    let tokens: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Token)
        .collect();
    assert_eq!(tokens.len(), 4);
    assert!(tokens.iter().all(|r| r.concurrent_token_requests == 1));
    assert_eq!(
        tokens.iter().filter(|r| r.token_id.is_some()).count(),
        2,
        "token ids recorded for issued tokens only"
    );
}

#[tokio::test]
async fn expired_refresh_tokens_are_invalid_grant() {
    let sim = start(SimConfig {
        token_ttl: Duration::from_millis(150),
        ..config(10)
    })
    .await;
    let cfg = sim.config().clone();
    let t = password_grant(&sim).await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    let r = token_raw(
        &sim,
        &pct(&cfg.client_id),
        &pct(&cfg.client_secret),
        form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", t.body["refresh_token"].as_str().unwrap()),
            ("client_id", &cfg.client_id),
        ]),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"], "invalid_grant");
}

#[tokio::test]
async fn top_skip_paging_covers_the_ground_truth_with_a_boundary_at_top() {
    // 1000 contacts over the whole interval: 4 full pages of 250, then the
    // request at skip=1000 must answer an empty array.
    let sim = start(config(1_000)).await;
    let token = access_token(&sim).await;
    let (s, e) = ("2026-11-20T00:00:00.000Z", "2026-11-23T00:00:00.000Z");
    let gt = sim.ground_truth(&iv(s, e));
    assert_eq!(gt.count, 1_000);
    assert_eq!(gt.ongoing, 0);
    let (records, requests) = fetch_all(&sim, &token, s, e, 250).await;
    assert_eq!(requests, 5, "four full pages, then an empty one");
    let mut ids = BTreeSet::new();
    let mut sum = 0;
    let mut last = (i64::MIN, i64::MIN);
    for c in &records {
        let (id, start, dur) = parse_contact(c).expect("no bad records configured");
        assert!(id > i64::from(u32::MAX));
        assert!((start, id) > last, "ordered by start, then contactId");
        last = (start, id);
        ids.insert(id.to_string());
        sum += dur;
    }
    assert_eq!(records.len(), gt.count);
    assert_eq!(ids, gt.ids);
    assert_eq!(sum, gt.duration_ms_sum);
    assert!(
        records.iter().any(|c| c.get("contactStart").is_some()),
        "legacy spellings are mixed in"
    );

    // The envelope of the last full page and of the page past the end.
    let last_full = get(
        &completed_url(&sim, s, e, 250, 750),
        Some(&token),
        Some("application/json"),
    )
    .await
    .json();
    assert_eq!(last_full["totalRecords"], 1_000);
    assert_eq!(last_full["businessUnitId"], 4_600_001);
    assert!(last_full["lastPollTime"].as_str().unwrap().ends_with('Z'));
    assert!(last_full["_links"]["next"].is_null());
    let prev = last_full["_links"]["previous"].as_str().unwrap();
    assert!(prev.starts_with(&sim.api_url()) && prev.contains("skip=500"));
    assert!(last_full["_links"]["self"]
        .as_str()
        .unwrap()
        .contains("skip=750"));
    let past = get(
        &completed_url(&sim, s, e, 250, 1_000),
        Some(&token),
        Some("application/json"),
    )
    .await;
    assert_eq!(past.status, 200);
    assert_eq!(past.json()["completedContacts"], serde_json::json!([]));

    // `_links.next` is a plain absolute URL that pages the same way.
    let first = get(
        &completed_url(&sim, s, e, 250, 0),
        Some(&token),
        Some("application/json"),
    )
    .await
    .json();
    let next = first["_links"]["next"].as_str().unwrap();
    let second = get(next, Some(&token), Some("application/json"))
        .await
        .json();
    assert_eq!(
        second["completedContacts"][0], records[250],
        "next starts where the first page ended"
    );
}

#[tokio::test]
async fn a_sub_window_with_bad_records_matches_the_ground_truth() {
    let sim = start(SimConfig {
        bad_records: 12,
        ..config(900)
    })
    .await;
    let token = access_token(&sim).await;
    let (s, e) = ("2026-11-20T12:00:00Z", "2026-11-22T06:30:00Z");
    let gt = sim.ground_truth(&iv(s, e));
    let (records, _) = fetch_all(&sim, &token, s, e, 100).await;
    let good: Vec<_> = records.iter().filter_map(parse_contact).collect();
    let lo = chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis();
    let hi = chrono::DateTime::parse_from_rfc3339(e)
        .unwrap()
        .timestamp_millis();
    assert!(good.iter().all(|&(_, st, _)| (lo..hi).contains(&st)));
    assert_eq!(good.len(), gt.count);
    assert_eq!(records.len() - good.len(), gt.bad_records);
    assert!(gt.bad_records > 0);
    let ids: BTreeSet<String> = good.iter().map(|g| g.0.to_string()).collect();
    assert_eq!(ids, gt.ids);
    assert_eq!(good.iter().map(|g| g.2).sum::<i64>(), gt.duration_ms_sum);
}

#[tokio::test]
async fn empty_window_is_204_with_no_body() {
    let sim = start(config(100)).await;
    let token = access_token(&sim).await;
    let p = get(
        &completed_url(&sim, "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", 100, 0),
        Some(&token),
        Some("application/json"),
    )
    .await;
    assert_eq!(p.status, 204);
    assert!(p.text.is_empty());
    assert!(p.headers.get("content-type").is_none());
    assert_eq!(
        sim.ground_truth(&iv("2026-12-01", "2026-12-02")),
        Default::default()
    );
}

#[tokio::test]
async fn accept_header_and_parameters_are_checked() {
    let sim = start(config(100)).await;
    let token = access_token(&sim).await;
    let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 10, 0);
    for accept in [None, Some("*/*"), Some("text/html")] {
        let p = get(&url, Some(&token), accept).await;
        assert_eq!(p.status, 406, "{accept:?}");
        assert_eq!(p.text, "No known way to render data");
    }
    // Path prefix in another letter case, another version.
    let lower = url.replace(
        "/inContactAPI/services/v34.0/",
        "/incontactapi/services/v21.0/",
    );
    assert_eq!(
        get(&lower, Some(&token), Some("application/json"))
            .await
            .status,
        200
    );
    let bad = |q: String| {
        let base = sim.cxone_completed_url();
        let token = token.clone();
        async move {
            let p = get(
                &format!("{base}?{q}"),
                Some(&token),
                Some("application/json"),
            )
            .await;
            (p.status, p.json()["error_description"].clone())
        }
    };
    let s = "startDate=2026-11-20T00:00:00Z";
    for (q, msg) in [
        (
            format!("{s}&endDate=2026-12-21T00:00:00Z"),
            "Invalid DateRange",
        ),
        (
            format!("{s}&endDate=2026-11-19T00:00:00Z"),
            "Invalid DateRange",
        ),
        (
            format!("{s}&endDate=2026-11-21T00:00:00Z&top=10001"),
            "Invalid top",
        ),
        (
            format!("{s}&endDate=2026-11-21T00:00:00Z&skip=-1"),
            "Invalid skip",
        ),
        (
            format!("{s}&endDate=2026-11-21T00:00:00Z&orderBy=contactStartDate%20desc"),
            "Invalid orderby arguments",
        ),
        (
            "startDate=yesterday&endDate=2026-11-21T00:00:00Z".to_string(),
            "Invalid startDate/endDate/updatedSince",
        ),
    ] {
        assert_eq!(bad(q.clone()).await, (400, Value::from(msg)), "{q}");
    }
    // No `top`: up to 10000 in one page.
    let all = get(
        &format!(
            "{}?{s}&endDate=2026-11-23T00:00:00Z",
            sim.cxone_completed_url()
        ),
        Some(&token),
        Some("application/json"),
    )
    .await
    .json();
    assert_eq!(all["completedContacts"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn throttling_is_503_with_and_without_retry_after() {
    for retry_after in [Some(2), None] {
        let sim = start(SimConfig {
            faults: Faults {
                throttle_every: Some(2),
                retry_after,
                ..Faults::default()
            },
            ..config(50)
        })
        .await;
        let token = access_token(&sim).await;
        let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 10, 0);
        let statuses: Vec<Page> = {
            let mut v = Vec::new();
            for _ in 0..4 {
                v.push(get(&url, Some(&token), Some("application/json")).await);
            }
            v
        };
        assert_eq!(
            statuses.iter().map(|p| p.status).collect::<Vec<_>>(),
            [200, 503, 200, 503]
        );
        let t = &statuses[1];
        let body = t.json();
        assert!(body["error"].is_string() && body["error_description"].is_string());
        assert_eq!(
            t.headers
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string()),
            retry_after.map(|s| s.to_string())
        );
        let log = sim.request_log();
        let throttled: Vec<_> = log.iter().filter(|r| r.status == 503).collect();
        assert_eq!(throttled.len(), 2);
        assert!(throttled.iter().all(|r| r.retry_after == retry_after));
    }
}

#[tokio::test]
async fn rate_limit_server_errors_and_forbidden() {
    let sim = start(SimConfig {
        faults: Faults {
            rate_limit_per_minute: Some(2),
            ..Faults::default()
        },
        ..config(50)
    })
    .await;
    let token = access_token(&sim).await;
    let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 10, 0);
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(get(&url, Some(&token), Some("application/json")).await);
    }
    assert_eq!(got[2].status, 429);
    assert!(got[2].headers.contains_key("retry-after"));
    assert_eq!(got[2].json()["error"], "too_many_requests");

    let sim = start(SimConfig {
        faults: Faults {
            server_error_every: Some(1),
            ..Faults::default()
        },
        ..config(50)
    })
    .await;
    let token = access_token(&sim).await;
    let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 10, 0);
    let a = get(&url, Some(&token), Some("application/json")).await;
    let b = get(&url, Some(&token), Some("application/json")).await;
    assert_eq!((a.status, b.status), (502, 504));
    assert!(a.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    let sim = start(SimConfig {
        faults: Faults {
            forbidden: true,
            ..Faults::default()
        },
        ..config(50)
    })
    .await;
    let token = access_token(&sim).await;
    let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 10, 0);
    let p = get(&url, Some(&token), Some("application/json")).await;
    assert_eq!(p.status, 403);
    assert!(p.json()["error_description"].is_string());
}

#[tokio::test]
async fn request_log_records_token_validity() {
    let sim = start(SimConfig {
        token_ttl: Duration::from_millis(300),
        faults: Faults {
            revoke_every: Some(5),
            ..Faults::default()
        },
        ..config(50)
    })
    .await;
    let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 10, 0);
    let json = Some("application/json");
    let missing = get(&url, None, json).await; // API request 1
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["error"], "invalid_token");
    assert!(missing.headers.contains_key("www-authenticate"));
    assert_eq!(get(&url, Some("made-up"), json).await.status, 401); // 2
    let token = access_token(&sim).await;
    assert_eq!(get(&url, Some(&token), json).await.status, 200); // 3
    let fresh = access_token(&sim).await;
    assert_eq!(get(&url, Some(&fresh), json).await.status, 200); // 4
    let revoked = get(&url, Some(&fresh), json).await; // 5: revoked while valid
    assert_eq!(revoked.status, 401);
    assert_eq!(revoked.json()["error"], "invalid_token");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(get(&url, Some(&token), json).await.status, 401); // 6: expired

    let api: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Api)
        .collect();
    assert_eq!(
        api.iter().map(|r| (r.token, r.status)).collect::<Vec<_>>(),
        [
            (TokenUse::Missing, 401),
            (TokenUse::Unknown, 401),
            (TokenUse::Valid, 200),
            (TokenUse::Valid, 200),
            (TokenUse::Revoked, 401),
            (TokenUse::Expired, 401),
        ]
    );
    assert_eq!(api[2].token_id, Some(1));
    assert_eq!(api[4].token_id, Some(2));
    for t in sim.issued_tokens() {
        assert_eq!(claims(&t)["tenantId"], sim.config().tenant_id.as_str());
    }
}

#[tokio::test]
async fn connection_resets_drop_the_page_mid_body() {
    let sim = start(SimConfig {
        faults: Faults {
            reset_every: Some(1),
            ..Faults::default()
        },
        ..config(50)
    })
    .await;
    let token = access_token(&sim).await;
    let url = completed_url(&sim, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z", 10, 0);
    let r = reqwest::Client::new()
        .get(&url)
        .bearer_auth(&token)
        .header("accept", "application/json")
        .send()
        .await;
    let failed = match r {
        Err(_) => true,
        Ok(resp) => resp.text().await.is_err(),
    };
    assert!(failed, "the body must not arrive whole");
    let log = sim.request_log();
    assert_eq!(log.last().unwrap().status, 0);
}
