//! Over-the-wire behaviour of the HTTP core against the Genesys simulator:
//! the assertions read the simulator's request log, so they check what was
//! actually sent (which token, when, how often), not just the outcome.

use cxetl::http::{ApiClient, ApiRequest, ClientConfig, HttpError, RetryPolicy};
use cxetl::simulator::{self, Faults, RequestKind, RequestRecord, SimConfig, Simulator, TokenUse};
use cxetl::vendors::genesys::auth::ClientCredentials;
use cxetl::vendors::genesys::hints::GenesysHints;
use cxetl::Secret;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

const PERMISSION: &str = "analytics:conversationDetail:view";

async fn sim(config: SimConfig) -> Simulator {
    simulator::start(config, 0).await.expect("simulator starts")
}

fn client_with(s: &Simulator, secret: &str, retry: RetryPolicy) -> ApiClient {
    let login = Url::parse(&s.login_url()).unwrap();
    let creds =
        ClientCredentials::new(&login, s.config().client_id.clone(), Secret::new(secret)).unwrap();
    let config = ClientConfig {
        rate_per_minute: 0,
        retry,
        ..Default::default()
    };
    ApiClient::new(config, Arc::new(creds), Arc::new(GenesysHints)).unwrap()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        ..Default::default()
    }
}

fn client(s: &Simulator) -> ApiClient {
    let secret = s.config().client_secret.clone();
    client_with(s, &secret, fast_retry())
}

/// A query page request: a real, re-sendable API call with a body.
fn page(s: &Simulator, n: u32) -> ApiRequest {
    let url = Url::parse(&format!(
        "{}/api/v2/analytics/conversations/details/query",
        s.api_url()
    ))
    .unwrap();
    let body = json!({
        "interval": s.config().interval.to_iso_pair(),
        "order": "asc", "orderBy": "conversationStart",
        "paging": {"pageSize": 10, "pageNumber": n},
    });
    ApiRequest::post_json(url, &body, PERMISSION)
}

fn api(log: &[RequestRecord]) -> Vec<&RequestRecord> {
    log.iter().filter(|r| r.kind == RequestKind::Api).collect()
}

fn tokens(log: &[RequestRecord]) -> Vec<&RequestRecord> {
    log.iter()
        .filter(|r| r.kind == RequestKind::Token)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn short_lived_tokens_are_refreshed_before_expiry_one_at_a_time() {
    let s = sim(SimConfig {
        conversations: 200,
        token_ttl: Duration::from_secs(2),
        token_latency: Duration::from_millis(150),
        page_latency: Duration::from_millis(250),
        ..Default::default()
    })
    .await;
    let c = client(&s);
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (c, reqs) = (
                c.clone(),
                (1..=16)
                    .map(|n| page(&s, (w * 16 + n) % 20 + 1))
                    .collect::<Vec<_>>(),
            );
            tokio::spawn(async move {
                for r in reqs {
                    c.send(&r).await.unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let log = s.request_log();
    let bad: Vec<_> = api(&log)
        .into_iter()
        .filter(|r| r.token != TokenUse::Valid)
        .collect();
    assert!(bad.is_empty(), "requests with a non-valid token: {bad:?}");
    let toks = tokens(&log);
    assert!(
        toks.len() >= 2,
        "a 2 s token over a ~4 s run must be refreshed"
    );
    assert!(
        toks.iter().all(|t| t.concurrent_token_requests == 1),
        "token requests overlapped: {toks:?}"
    );
    let stats = c.stats();
    assert_eq!(stats.unauthorized, 0);
    assert_eq!(stats.token_requests, toks.len() as u64);
    assert_eq!(stats.requests, api(&log).len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_token_causes_one_refresh_and_one_retry() {
    let s = sim(SimConfig {
        conversations: 100,
        faults: Faults {
            revoke_every: Some(5),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let c = client(&s);
    for n in 1..=12 {
        c.send(&page(&s, n % 10 + 1)).await.unwrap();
    }
    let log = s.request_log();
    let calls = api(&log);
    let revoked: Vec<_> = calls.iter().filter(|r| r.status == 401).collect();
    assert_eq!(revoked.len(), 2, "requests 5 and 10 of the run are revoked");
    for r in &revoked {
        // Right after the 401: exactly one token request, then the same request re-sent with the new token.
        let after: Vec<_> = log.iter().filter(|x| x.seq > r.seq).take(2).collect();
        assert_eq!(after[0].kind, RequestKind::Token);
        assert_eq!(after[1].key, r.key);
        assert_eq!(after[1].token_id, after[0].token_id);
        assert_eq!(after[1].status, 200);
    }
    let stats = c.stats();
    assert_eq!(
        (stats.unauthorized, stats.token_requests, stats.retries),
        (2, 3, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_401s_on_one_token_cause_a_single_refresh() {
    // API request 25 revokes its token; the nine sent alongside it carry the
    // same token and arrive after it, so ten workers see 401 together. Their
    // retries (35..44) end before the next revocation (50).
    let s = sim(SimConfig {
        conversations: 100,
        page_latency: Duration::from_millis(100),
        faults: Faults {
            revoke_every: Some(25),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let c = client(&s);
    for n in 1..=24 {
        c.send(&page(&s, n % 10 + 1)).await.unwrap();
    }
    let workers: Vec<_> = (0..10)
        .map(|w| {
            let (c, r) = (c.clone(), page(&s, w + 1));
            tokio::spawn(async move { c.send(&r).await })
        })
        .collect();
    for w in workers {
        w.await.unwrap().unwrap();
    }
    let log = s.request_log();
    let unauthorized = api(&log).iter().filter(|r| r.status == 401).count() as u64;
    assert!(
        unauthorized >= 5,
        "only {unauthorized} workers saw the revoked token"
    );
    assert_eq!(
        tokens(&log).len(),
        2,
        "one refresh for all 401s: {:?}",
        tokens(&log)
    );
    assert_eq!(c.stats().unauthorized, unauthorized);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn throttling_waits_out_retry_after_for_every_worker() {
    let s = sim(SimConfig {
        conversations: 100,
        faults: Faults {
            throttle_every: Some(4),
            retry_after: Some(1),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let c = client(&s);
    let workers: Vec<_> = (0..3)
        .map(|w| {
            let (c, reqs) = (
                c.clone(),
                (1..=4).map(|n| page(&s, w * 4 + n)).collect::<Vec<_>>(),
            );
            tokio::spawn(async move {
                for r in reqs {
                    c.send(&r).await.unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let log = s.request_log();
    let calls = api(&log);
    let throttled: Vec<_> = calls.iter().filter(|r| r.status == 429).collect();
    assert!(!throttled.is_empty());
    for t in &throttled {
        let resent = calls
            .iter()
            .find(|r| r.seq > t.seq && r.key == t.key)
            .expect("re-sent");
        let gap = resent.received_ms - t.responded_ms;
        assert!(gap >= 1000.0, "re-sent {gap:.0} ms after a Retry-After: 1");
        // The whole client paused: nothing new starts inside the window.
        // Requests already on the wire, or sent in the moment before the
        // client has read the 429, may land in its first 250 ms.
        let early = calls.iter().filter(|r| {
            r.received_ms > t.responded_ms + 250.0 && r.received_ms < t.responded_ms + 999.0
        });
        assert_eq!(
            early.count(),
            0,
            "other workers kept sending during the pause"
        );
    }
    assert_eq!(c.stats().throttled, throttled.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn server_errors_and_resets_are_retried_then_the_budget_runs_out() {
    let s = sim(SimConfig {
        conversations: 100,
        faults: Faults {
            server_error_every: Some(3),
            reset_every: Some(4),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let c = client(&s);
    for n in 1..=10 {
        let resp = c.send(&page(&s, n)).await.unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&resp.body).expect("complete JSON after a reset");
        assert!(v.get("totalHits").is_some());
    }
    let log = s.request_log();
    let resets = api(&log).iter().filter(|r| r.status == 0).count() as u64;
    let errors = api(&log).iter().filter(|r| r.status >= 500).count() as u64;
    assert!(resets >= 1 && errors >= 1);
    let stats = c.stats();
    assert_eq!(stats.server_errors, resets + errors);
    assert_eq!(stats.retries, resets + errors);

    let s = sim(SimConfig {
        conversations: 10,
        faults: Faults {
            server_error_every: Some(1),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let c = client_with(
        &s,
        &s.config().client_secret.clone(),
        RetryPolicy {
            max_attempts: 3,
            ..fast_retry()
        },
    );
    let err = c.send(&page(&s, 1)).await.unwrap_err();
    assert!(
        matches!(err, HttpError::RetriesExhausted { attempts: 3, .. }),
        "{err}"
    );
    assert_eq!(api(&s.request_log()).len(), 3);
    assert!(matches!(cxetl::Error::from(err), cxetl::Error::Upstream(_)));
}

#[tokio::test]
async fn forbidden_names_the_permission_and_is_not_retried() {
    let s = sim(SimConfig {
        conversations: 10,
        faults: Faults {
            forbidden: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let c = client(&s);
    let err = c.send(&page(&s, 1)).await.unwrap_err();
    match &err {
        HttpError::Forbidden { permission, .. } => assert!(
            permission.contains("analytics:conversationDetail:view"),
            "{err}"
        ),
        other => panic!("expected Forbidden, got {other}"),
    }
    assert_eq!(api(&s.request_log()).len(), 1);
    assert!(matches!(
        cxetl::Error::from(err),
        cxetl::Error::Permission(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_credentials_fail_fast_with_one_token_request() {
    let s = sim(SimConfig {
        conversations: 10,
        ..Default::default()
    })
    .await;
    let c = client_with(&s, "wrong-secret", fast_retry());
    let started = Instant::now();
    let workers: Vec<_> = (0..10)
        .map(|n| {
            let (c, r) = (c.clone(), page(&s, n + 1));
            tokio::spawn(async move { c.send(&r).await })
        })
        .collect();
    for w in workers {
        let err = w.await.unwrap().unwrap_err();
        assert!(
            matches!(err, HttpError::TokenRejected { status: 401, .. }),
            "{err}"
        );
        assert!(!err.to_string().contains("wrong-secret"));
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    let log = s.request_log();
    assert!(
        tokens(&log).len() <= 2,
        "{} token requests",
        tokens(&log).len()
    );
    assert!(api(&log).is_empty());
}
