//! CXone only: top/skip paging (a boundary exactly at `top`, the 204 that
//! ends an empty interval) and its throttling by 503 without `Retry-After`
//! mixed with short tokens, revocations and server errors.

use crate::common::*;
use cxetl::simulator::{Faults, RequestKind, SimConfig, Simulator, TokenUse};
use cxetl::{Interval, Vendor};
use std::path::Path;
use std::time::Duration;

fn cxone_config(conversations: usize, start: &str, end: &str) -> SimConfig {
    SimConfig {
        vendor: Vendor::Cxone,
        conversations,
        interval: Interval::parse(start, end).unwrap(),
        ..SimConfig::default()
    }
}

async fn run_cxone(sim: &Simulator, start: &str, end: &str, out: &Path, extra: &[&str]) -> Run {
    Subject::Cxone.run(sim, start, end, out, extra).await
}

fn assert_matches_truth(out: &Path, sim: &Simulator, i: &Interval) {
    Subject::Cxone.assert_matches_truth(out, sim, i)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ground_truth_over_several_pages_with_a_boundary_exactly_at_top() {
    // 1000 contacts in one day, top = 250: four full pages, then the end.
    let sim = start(cxone_config(1000, "2026-11-20", "2026-11-21")).await;
    let out = tempfile::tempdir().unwrap();
    let i = Interval::parse("2026-11-20", "2026-11-21").unwrap();
    assert_eq!(sim.ground_truth(&i).count, 1000);
    let run = run_cxone(
        &sim,
        "2026-11-20",
        "2026-11-21",
        out.path(),
        &["--cxone-top", "250"],
    )
    .await;
    run.expect_code(0);
    assert_matches_truth(out.path(), &sim, &i);
    let s = run.summary();
    assert_eq!(s["vendor"], "cxone");
    assert_eq!(
        s["api"]["pages"], 5,
        "four full pages and the empty one that ends paging"
    );
    assert_eq!(s["api"]["total_hits"], 1000);
    let pages: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.path.ends_with("/contacts/completed"))
        .collect();
    assert_eq!(pages.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_interval_ends_on_204_with_a_correct_summary() {
    let sim = start(cxone_config(200, "2026-11-20", "2026-11-21")).await;
    let out = tempfile::tempdir().unwrap();
    let run = run_cxone(&sim, "2026-12-01", "2026-12-02", out.path(), &[]).await;
    run.expect_code(0);
    let s = run.summary();
    assert_eq!(s["status"], "succeeded");
    assert_eq!(s["conversations"], 0);
    assert_eq!(s["files"].as_array().unwrap().len(), 0);
    assert!(sim.request_log().iter().any(|r| r.status == 204));
    assert!(table_files(out.path(), "conversations").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_tokens_revocation_and_throttling_still_give_complete_data() {
    let sim = start(SimConfig {
        token_ttl: Duration::from_secs(2),
        token_latency: Duration::from_millis(50),
        page_latency: Duration::from_millis(250),
        faults: Faults {
            revoke_every: Some(7),
            throttle_every: Some(6),
            throttle_burst: 2,
            retry_after: None,
            server_error_every: Some(11),
            ..Faults::default()
        },
        ..cxone_config(1500, "2026-11-20", "2026-11-23")
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let i = Interval::parse("2026-11-20", "2026-11-23").unwrap();
    let run = run_cxone(
        &sim,
        "2026-11-20",
        "2026-11-23",
        out.path(),
        &["--cxone-top", "100", "--slice", "12h", "--concurrency", "2"],
    )
    .await;
    run.expect_code(0);
    assert_matches_truth(out.path(), &sim, &i);

    let log = sim.request_log();
    let api: Vec<_> = log.iter().filter(|r| r.kind == RequestKind::Api).collect();
    assert!(
        api.iter().any(|r| r.status == 503),
        "503 throttling without Retry-After was injected"
    );
    assert!(
        api.iter().all(|r| r.token != TokenUse::Expired),
        "no request with a token known to be expired"
    );
    assert!(
        log.iter()
            .filter(|r| r.kind == RequestKind::Token)
            .all(|r| r.concurrent_token_requests == 1),
        "no token stampede"
    );
    let revoked = api.iter().filter(|r| r.status == 401).count();
    assert!(revoked > 0);
    let s = run.summary();
    let pages = s["api"]["pages"].as_u64().unwrap();
    let retries = s["http"]["retries"].as_u64().unwrap();
    assert!(
        retries <= 2 * (api.len() as u64 - pages),
        "bounded retries: {retries}"
    );
}
