//! Black-box tests of the Genesys simulator over real HTTP.

use cxetl::simulator::{self, Faults, RequestKind, SimConfig, Simulator, TokenUse};
use cxetl::Interval;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

const DETAILS: &str = "/api/v2/analytics/conversations/details";

fn config(conversations: usize) -> SimConfig {
    SimConfig {
        conversations,
        ..SimConfig::default()
    }
}

fn iv(a: &str, b: &str) -> Interval {
    Interval::parse(a, b).unwrap()
}

fn ms(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn new(sim: &Simulator) -> Client {
        let mut c = Client {
            http: reqwest::Client::new(),
            base: sim.api_url(),
            token: String::new(),
        };
        c.refresh(sim).await;
        c
    }

    async fn refresh(&mut self, sim: &Simulator) {
        let (status, body) = token(&self.http, sim, "sim-client", "sim-secret").await;
        assert_eq!(status, 200, "{body}");
        self.token = body["access_token"].as_str().unwrap().to_string();
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let mut rb = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.unwrap())
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, _, t) = self.send(reqwest::Method::POST, path, Some(body)).await;
        (s, serde_json::from_str(&t).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, t) = self.send(reqwest::Method::GET, path, None).await;
        (s, serde_json::from_str(&t).unwrap_or(Value::Null))
    }
}

async fn token(http: &reqwest::Client, sim: &Simulator, id: &str, secret: &str) -> (u16, Value) {
    let r = http
        .post(format!("{}/oauth/token", sim.login_url()))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, serde_json::from_str(&r.text().await.unwrap()).unwrap())
}

/// Every conversation the sync query returns for `interval`, paged.
async fn query_all(c: &Client, interval: &str, page_size: u32) -> (Vec<Value>, u64) {
    let mut out = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let (s, b) = c
            .post(
                &format!("{DETAILS}/query"),
                json!({"interval": interval, "order": "asc", "orderBy": "conversationStart",
                       "paging": {"pageSize": page_size, "pageNumber": page}}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        total = b["totalHits"].as_u64().unwrap();
        match b.get("conversations") {
            None => break,
            Some(cs) => out.extend(cs.as_array().unwrap().iter().cloned()),
        }
    }
    (out, total)
}

#[tokio::test]
async fn token_issue_and_rejection() {
    let sim = simulator::start(
        SimConfig {
            token_ttl: Duration::from_millis(1500),
            ..config(10)
        },
        0,
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let (s, b) = token(&http, &sim, "sim-client", "sim-secret").await;
    assert_eq!(s, 200);
    assert_eq!(b["token_type"], "bearer");
    assert_eq!(b["expires_in"], 2, "rounded up to whole seconds");
    assert!(b["access_token"].as_str().unwrap().len() > 40);

    let (s, b) = token(&http, &sim, "sim-client", "wrong").await;
    assert_eq!(s, 401);
    assert_eq!(
        b,
        json!({"error":"invalid_client","description":"authentication failed","error_description":"authentication failed"})
    );
    let (s, b) = token(&http, &sim, "nobody", "sim-secret").await;
    assert_eq!(s, 401);
    assert_eq!(b["error_description"], "client not found");

    // Missing and unknown bearer tokens get platform error bodies.
    let r = http
        .get(format!("{}{DETAILS}/jobs/availability", sim.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let ctx = r.headers()["inin-correlation-id"]
        .to_str()
        .unwrap()
        .to_string();
    let b: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(b["code"], "authentication.required");
    assert_eq!(b["contextId"], ctx.as_str());
    let r = http
        .get(format!("{}{DETAILS}/jobs/availability", sim.api_url()))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let log = sim.request_log();
    let kinds: Vec<_> = log.iter().map(|r| (r.kind, r.status, r.token)).collect();
    assert_eq!(
        kinds,
        [
            (RequestKind::Token, 200, TokenUse::Missing),
            (RequestKind::Token, 401, TokenUse::Missing),
            (RequestKind::Token, 401, TokenUse::Missing),
            (RequestKind::Api, 401, TokenUse::Missing),
            (RequestKind::Api, 401, TokenUse::Unknown),
        ]
    );
    assert_eq!(log[0].token_id, Some(1));
    assert!(log
        .iter()
        .filter(|r| r.kind == RequestKind::Token)
        .all(|r| r.concurrent_token_requests == 1));
    assert!(log.iter().all(|r| !r.key.contains("sim-secret")));
}

#[tokio::test]
async fn expired_token_is_refused_and_logged() {
    let sim = simulator::start(
        SimConfig {
            token_ttl: Duration::from_millis(30),
            ..config(10)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    // The ttl is enforced exactly: after it has certainly passed, 401.
    tokio::time::sleep(Duration::from_millis(40)).await;
    let (s, b) = c.get(&format!("{DETAILS}/jobs/availability")).await;
    assert_eq!(s, 401);
    assert_eq!(b["code"], "credentials.expired");
    let log = sim.request_log();
    assert_eq!(log[1].token, TokenUse::Expired);
    assert_eq!(log[1].token_id, Some(1));
}

#[tokio::test]
async fn query_pages_return_every_conversation_on_touched_days() {
    let sim = simulator::start(config(600), 0).await.unwrap();
    let c = Client::new(&sim).await;
    // One hour on Nov 21 touches the whole of Nov 21.
    let (convs, total) =
        query_all(&c, "2026-11-21T06:00:00.000Z/2026-11-21T07:00:00.000Z", 100).await;
    let day = sim.ground_truth(&iv("2026-11-21", "2026-11-22"));
    assert!(day.count > 150 && day.count < 250, "{}", day.count);
    assert_eq!(total as usize, day.count);
    let ids: BTreeSet<String> = convs
        .iter()
        .map(|c| c["conversationId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, day.ids);
    assert_eq!(convs.len(), day.count, "no duplicates");
    let starts: Vec<i64> = convs
        .iter()
        .map(|c| ms(c["conversationStart"].as_str().unwrap()))
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "ordered by conversationStart"
    );
    assert!(convs.iter().all(|c| c["participants"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p.get("attributes").is_none())));

    // Default page size is 25; descending order reverses.
    let (s, b) = c
        .post(
            &format!("{DETAILS}/query"),
            json!({"interval": "2026-11-21T00:00:00Z/2026-11-22T00:00:00Z", "order": "desc"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["conversations"].as_array().unwrap().len(), 25);
    assert_eq!(
        b["conversations"][0]["conversationId"],
        convs.last().unwrap()["conversationId"]
    );

    let (s, b) = c.post(&format!("{DETAILS}/query"), json!({"interval": "2026-11-21T00:00:00Z/2026-11-22T00:00:00Z", "paging": {"pageSize": 101, "pageNumber": 1}})).await;
    assert_eq!((s, b["code"].as_str()), (400, Some("bad.request")));
    let (s, b) = c
        .post(
            &format!("{DETAILS}/query"),
            json!({"interval": "2026-11-01T00:00:00Z/2026-11-09T00:00:00Z"}),
        )
        .await;
    assert_eq!((s, b["status"].as_u64()), (400, Some(400)));
    assert!(b["message"].as_str().unwrap().contains("7 days"));
    let filter = json!([{"type": "and", "predicates": [{"type": "dimension", "dimension": "conversationEnd", "operator": "exists"}]}]);
    let (s, _) = c.post(&format!("{DETAILS}/query"), json!({"interval": "2026-11-01T00:00:00Z/2026-11-09T00:00:00Z", "conversationFilters": filter})).await;
    assert_eq!(s, 200, "filters raise the limit to 31 days");

    let (_, headers, _) = c
        .send(
            reqwest::Method::GET,
            &format!("{DETAILS}/jobs/availability"),
            None,
        )
        .await;
    for h in [
        "inin-ratelimit-allowed",
        "inin-ratelimit-count",
        "inin-ratelimit-reset",
        "inin-correlation-id",
    ] {
        assert!(headers.contains_key(h), "{h}");
    }
}

#[tokio::test]
async fn job_lifecycle_and_cursor_paging_use_overlap_semantics() {
    let sim = simulator::start(config(800), 0).await.unwrap();
    let c = Client::new(&sim).await;
    let (all, _) = query_all(&c, "2026-11-20T00:00:00Z/2026-11-23T00:00:00Z", 100).await;
    let (s, e) = (ms("2026-11-21T10:00:00Z"), ms("2026-11-21T12:00:00Z"));
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|c| {
            let st = ms(c["conversationStart"].as_str().unwrap());
            let end = c.get("conversationEnd").map(|x| ms(x.as_str().unwrap()));
            st < e && end.is_none_or(|x| x > s)
        })
        .map(|c| c["conversationId"].as_str().unwrap().to_string())
        .collect();
    let owned = sim.ground_truth(&iv("2026-11-21T10:00:00Z", "2026-11-21T12:00:00Z"));
    assert!(
        expected.len() > owned.count,
        "overlap includes conversations started before the interval"
    );

    let (st, b) = c
        .post(
            &format!("{DETAILS}/jobs"),
            json!({"interval": "2026-11-21T10:00:00.000Z/2026-11-21T12:00:00.000Z"}),
        )
        .await;
    assert_eq!(st, 202);
    let job = b["jobId"].as_str().unwrap().to_string();
    let (st, b) = c.get(&format!("{DETAILS}/jobs/{job}/results")).await;
    assert_eq!(
        (st, b["code"].as_str()),
        (400, Some("bad.request")),
        "results before FULFILLED"
    );
    let mut states = Vec::new();
    loop {
        let (st, b) = c.get(&format!("{DETAILS}/jobs/{job}")).await;
        assert_eq!(st, 200);
        assert!(b["submissionDate"].is_string());
        states.push(b["state"].as_str().unwrap().to_string());
        if b["state"] == "FULFILLED" {
            assert!(b["completionDate"].is_string() && b["expirationDate"].is_string());
            break;
        }
        assert!(states.len() < 4, "{states:?}");
    }
    assert_eq!(states[0], "QUEUED");

    let mut got = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(cu) => format!("?pageSize=40&cursor={cu}"),
            None => "?pageSize=40".to_string(),
        };
        let (st, b) = c.get(&format!("{DETAILS}/jobs/{job}/results{q}")).await;
        assert_eq!(st, 200, "{b}");
        pages += 1;
        assert_eq!(b["dataAvailabilityDate"], "2026-11-23T00:00:00.000Z");
        let cs = b["conversations"].as_array().unwrap();
        assert!(cs
            .iter()
            .all(|c| c["participants"][0]["attributes"].is_object()));
        got.extend(
            cs.iter()
                .map(|c| c["conversationId"].as_str().unwrap().to_string()),
        );
        match b.get("cursor") {
            Some(cu) => cursor = Some(cu.as_str().unwrap().to_string()),
            None => break,
        }
    }
    assert_eq!(pages, expected.len().div_ceil(40));
    assert_eq!(got.len(), expected.len());
    assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);

    // startOfDayIntervalMatching drops the ones started on an earlier day.
    let (_, b) = c.post(&format!("{DETAILS}/jobs"), json!({"interval": "2026-11-21T00:00:00.000Z/2026-11-21T01:00:00.000Z", "startOfDayIntervalMatching": true})).await;
    let job2 = b["jobId"].as_str().unwrap().to_string();
    while c.get(&format!("{DETAILS}/jobs/{job2}")).await.1["state"] != "FULFILLED" {}
    let (_, b) = c
        .get(&format!("{DETAILS}/jobs/{job2}/results?pageSize=1000"))
        .await;
    assert!(b["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["conversationStart"].as_str().unwrap() >= "2026-11-21"));

    let (st, b) = c.get(&format!("{DETAILS}/jobs/availability")).await;
    assert_eq!(
        (st, b["dataAvailabilityDate"].as_str()),
        (200, Some("2026-11-23T00:00:00.000Z"))
    );
    let (st, _, body) = c
        .send(
            reqwest::Method::DELETE,
            &format!("{DETAILS}/jobs/{job}"),
            None,
        )
        .await;
    assert_eq!((st, body.as_str()), (204, ""));
    assert_eq!(c.get(&format!("{DETAILS}/jobs/{job}")).await.0, 404);
    assert!(sim
        .request_log()
        .iter()
        .any(|r| r.method == "DELETE" && r.status == 204));
}

#[tokio::test]
async fn ground_truth_matches_a_manual_count() {
    let sim = simulator::start(
        SimConfig {
            bad_records: 8,
            ..config(400)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    let (all, total) = query_all(&c, "2026-11-20T00:00:00Z/2026-11-23T00:00:00Z", 100).await;
    assert_eq!(total, 408);
    let interval = iv("2026-11-20T18:00:00Z", "2026-11-22T03:30:00Z");
    let (mut count, mut dur, mut ongoing, mut ids) = (0, 0i64, 0, BTreeSet::new());
    let mut bad = 0;
    let mut last_good_start = 0; // served order is start order
    for c in &all {
        let start = c
            .get("conversationStart")
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
        let well_formed = c.get("conversationId").is_some()
            && start.is_some()
            && c["participants"].is_array()
            && c["participants"][0]["sessions"][0]["segments"][0]["segmentStart"].is_string();
        // Malformed records count where they were served (between neighbours).
        let at = start
            .map(|t| t.timestamp_millis())
            .unwrap_or(last_good_start);
        last_good_start = at;
        if !interval.contains(chrono::DateTime::from_timestamp_millis(at).unwrap()) {
            continue;
        }
        if !well_formed {
            bad += 1;
            continue;
        }
        count += 1;
        ids.insert(c["conversationId"].as_str().unwrap().to_string());
        match c.get("conversationEnd") {
            Some(e) => dur += ms(e.as_str().unwrap()) - at,
            None => ongoing += 1,
        }
    }
    let gt = sim.ground_truth(&interval);
    assert_eq!(
        (gt.count, gt.duration_ms_sum, gt.ongoing, gt.bad_records),
        (count, dur, ongoing, bad)
    );
    assert_eq!(gt.ids, ids);
    assert!(gt.bad_records >= 3, "{}", gt.bad_records);
    let everything = sim.ground_truth(&sim.config().interval.clone());
    assert_eq!((everything.count, everything.bad_records), (400, 8));
    assert!(everything.ongoing > 0);
}

#[tokio::test]
async fn fault_schedule_produces_the_expected_statuses() {
    let faults = Faults {
        throttle_every: Some(3),
        retry_after: Some(2),
        server_error_every: Some(5),
        reset_every: Some(7),
        revoke_every: Some(11),
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            faults,
            ..config(20)
        },
        0,
    )
    .await
    .unwrap();
    let mut c = Client::new(&sim).await;
    let path = format!("{DETAILS}/jobs/availability");
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = c
            .http
            .get(format!("{}{path}", c.base))
            .bearer_auth(&c.token)
            .send()
            .await;
        let status = match r {
            Err(_) => 0,
            Ok(r) => {
                let s = r.status().as_u16();
                let ct = r.headers()["content-type"].to_str().unwrap().to_string();
                match (s, r.text().await) {
                    (_, Err(_)) => 0,
                    (503, Ok(t)) => {
                        assert_eq!(ct, "text/html");
                        assert_eq!(t, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>");
                        s
                    }
                    (429, Ok(t)) => {
                        let b: Value = serde_json::from_str(&t).unwrap();
                        assert_eq!(b["code"], "too.many.requests");
                        s
                    }
                    _ => s,
                }
            }
        };
        statuses.push(status);
        if status == 401 {
            c.refresh(&sim).await;
        }
    }
    assert_eq!(
        statuses,
        [200, 200, 429, 200, 503, 429, 0, 200, 429, 502, 401, 429]
    );
    let api: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Api)
        .collect();
    assert_eq!(api.iter().map(|r| r.status).collect::<Vec<_>>(), statuses);
    assert_eq!(api[2].retry_after, Some(2));
    assert_eq!(api[10].token, TokenUse::Revoked);
    assert_eq!(api[11].token, TokenUse::Valid);
    assert_eq!((api[10].token_id, api[11].token_id), (Some(1), Some(2)));
    assert!(api[..10].iter().all(|r| r.token == TokenUse::Valid));
}

#[tokio::test]
async fn throttle_bursts_rate_limits_permissions_and_failed_jobs() {
    let faults = Faults {
        throttle_every: Some(2),
        throttle_burst: 3,
        retry_after: None,
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            faults,
            ..config(20)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(c.get(&format!("{DETAILS}/jobs/availability")).await.0);
    }
    // Burst from #2 covers 2,3,4; #4 restarts it: 4,5,6.
    assert_eq!(statuses, [200, 429, 429, 429, 429, 429]);
    assert!(sim.request_log().iter().all(|r| r.retry_after.is_none()));

    let faults = Faults {
        rate_limit_per_minute: Some(3),
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            faults,
            ..config(20)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    for n in 1..=4u32 {
        let (s, h, body) = c
            .send(
                reqwest::Method::GET,
                &format!("{DETAILS}/jobs/availability"),
                None,
            )
            .await;
        assert_eq!(h["inin-ratelimit-allowed"], "3");
        assert_eq!(h["inin-ratelimit-count"], n.to_string().as_str());
        if n < 4 {
            assert_eq!(s, 200);
        } else {
            assert_eq!(s, 429);
            let ra: u32 = h["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&ra));
            assert!(
                body.contains("Rate limit exceeded the maximum [3] requests within [60] seconds")
            );
        }
    }

    let faults = Faults {
        forbidden: true,
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            faults,
            ..config(20)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    let (s, b) = c
        .post(
            &format!("{DETAILS}/query"),
            json!({"interval": "2026-11-21T00:00:00Z/2026-11-22T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (403, Some("missing.any.permissions"))
    );
    assert!(b["message"]
        .as_str()
        .unwrap()
        .contains("analytics:conversationDetail:view"));

    let faults = Faults {
        job_failures: 1,
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            faults,
            ..config(20)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    let mut finals = Vec::new();
    for _ in 0..2 {
        let (_, b) = c
            .post(
                &format!("{DETAILS}/jobs"),
                json!({"interval": "2026-11-21T00:00:00Z/2026-11-22T00:00:00Z"}),
            )
            .await;
        let id = b["jobId"].as_str().unwrap().to_string();
        let fin = loop {
            let (_, b) = c.get(&format!("{DETAILS}/jobs/{id}")).await;
            if b["state"] == "FAILED" || b["state"] == "FULFILLED" {
                break b;
            }
        };
        finals.push((
            fin["state"].as_str().unwrap().to_string(),
            fin.get("errorMessage").is_some(),
        ));
    }
    assert_eq!(
        finals,
        [
            ("FAILED".to_string(), true),
            ("FULFILLED".to_string(), false)
        ]
    );
}

#[tokio::test]
async fn concurrent_token_requests_are_visible_in_the_log() {
    let sim = simulator::start(
        SimConfig {
            token_latency: Duration::from_millis(300),
            ..config(10)
        },
        0,
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let (a, b, c) = tokio::join!(
        token(&http, &sim, "sim-client", "sim-secret"),
        token(&http, &sim, "sim-client", "sim-secret"),
        token(&http, &sim, "sim-client", "sim-secret"),
    );
    assert_eq!((a.0, b.0, c.0), (200, 200, 200));
    let max = sim
        .request_log()
        .iter()
        .map(|r| r.concurrent_token_requests)
        .max()
        .unwrap();
    assert!(max >= 2, "a stampede must be visible, got {max}");
}

#[tokio::test]
async fn same_seed_serves_identical_pages() {
    let a = simulator::start(config(50), 0).await.unwrap();
    let b = simulator::start(config(50), 0).await.unwrap();
    let ca = Client::new(&a).await;
    let cb = Client::new(&b).await;
    let body = json!({"interval": "2026-11-20T00:00:00Z/2026-11-21T00:00:00Z"});
    let pa = ca
        .send(
            reqwest::Method::POST,
            &format!("{DETAILS}/query"),
            Some(body.clone()),
        )
        .await
        .2;
    let pb = cb
        .send(
            reqwest::Method::POST,
            &format!("{DETAILS}/query"),
            Some(body),
        )
        .await
        .2;
    assert_eq!(pa, pb);
    let log = a.request_log();
    assert_eq!(
        log[1].key,
        b.request_log()[1].key,
        "re-sent request has the same key"
    );
}

#[tokio::test]
async fn reset_sends_headers_then_drops_the_connection() {
    let faults = Faults {
        reset_every: Some(1),
        ..Faults::default()
    };
    let sim = simulator::start(
        SimConfig {
            faults,
            page_latency: Duration::from_millis(1),
            ..config(10)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    for _ in 0..3 {
        let r = c
            .http
            .get(format!("{}{DETAILS}/jobs/availability", c.base))
            .bearer_auth(&c.token)
            .send()
            .await;
        // Either the headers arrived and the body fails, or the abort beat
        // the headers; never a complete response.
        if let Ok(r) = r {
            assert_eq!(r.status(), 200);
            assert!(r.bytes().await.is_err(), "body must not complete");
        }
    }
    let api: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Api)
        .collect();
    assert_eq!(api.len(), 3);
    assert!(api
        .iter()
        .all(|r| r.status == 0 && r.token == TokenUse::Valid));
    assert!(
        api.iter().all(|r| r.responded_ms >= r.received_ms + 1.0),
        "page latency applies to faults"
    );
}

/// `job_latency`: no poll answered before the latency has passed since the
/// submission shows the job ended, however often it is polled, and results
/// are refused until then. Timing is judged from the client's side, where
/// it is a guarantee, not a guess: the job was submitted after `t0`, so a
/// poll answered before `t0 + latency` was decided before the job's
/// latency was up.
#[tokio::test]
async fn job_latency_keeps_jobs_pending_until_it_has_passed() {
    let latency = Duration::from_millis(400);
    let sim = simulator::start(
        SimConfig {
            job_latency: latency,
            ..config(100)
        },
        0,
    )
    .await
    .unwrap();
    let c = Client::new(&sim).await;
    let t0 = std::time::Instant::now();
    let (st, b) = c
        .post(
            &format!("{DETAILS}/jobs"),
            json!({"interval": "2026-11-21T00:00:00.000Z/2026-11-22T00:00:00.000Z"}),
        )
        .await;
    assert_eq!(st, 202);
    let job = b["jobId"].as_str().unwrap().to_string();
    let mut seen = Vec::new();
    let done_after = loop {
        let (st, b) = c.get(&format!("{DETAILS}/jobs/{job}")).await;
        let answered = t0.elapsed();
        assert_eq!(st, 200);
        let state = b["state"].as_str().unwrap().to_string();
        if answered < latency {
            assert!(
                state == "QUEUED" || state == "PENDING",
                "{state} after {answered:?}"
            );
            if state == "PENDING" {
                let (st, _) = c.get(&format!("{DETAILS}/jobs/{job}/results")).await;
                assert_eq!(st, 400, "no results while pending");
            }
        }
        seen.push(state.clone());
        if state == "FULFILLED" {
            break answered;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(done_after >= latency, "{done_after:?}");
    assert_eq!(seen[0], "QUEUED");
    let (st, b) = c
        .get(&format!("{DETAILS}/jobs/{job}/results?pageSize=1000"))
        .await;
    assert_eq!(st, 200);
    let truth = sim.ground_truth(&iv("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"));
    assert!(b["conversations"].as_array().unwrap().len() >= truth.count);
}
