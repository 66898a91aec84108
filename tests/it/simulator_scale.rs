//! Scale check for the simulator (ignored by default; run with
//! `cargo test --release --test it simulator_scale:: -- --ignored --nocapture`).

use cxetl::simulator::{self, SimConfig};
use std::time::Instant;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark-sized: generates a million conversations"]
async fn a_million_conversations_start_quickly() {
    let n: usize = std::env::var("SIM_SCALE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let sim = simulator::start(
        SimConfig {
            conversations: n,
            bad_records: 100,
            ..SimConfig::default()
        },
        0,
    )
    .await
    .unwrap();
    let took = t.elapsed();
    let gt = sim.ground_truth(&sim.config().interval.clone());
    eprintln!(
        "generated {} conversations in {took:?} (ongoing {})",
        gt.count, gt.ongoing
    );
    assert_eq!(gt.count, n);
    assert!(took.as_secs() < 60, "{took:?}");

    // One full results page through HTTP.
    let http = reqwest::Client::new();
    let tok: serde_json::Value = serde_json::from_str(
        &http
            .post(format!("{}/oauth/token", sim.login_url()))
            .basic_auth("sim-client", Some("sim-secret"))
            .body("grant_type=client_credentials")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let token = tok["access_token"].as_str().unwrap();
    let t = Instant::now();
    let body = http
        .post(format!("{}/api/v2/analytics/conversations/details/query", sim.api_url()))
        .bearer_auth(token)
        .body(r#"{"interval":"2026-11-21T00:00:00Z/2026-11-22T00:00:00Z","paging":{"pageSize":100,"pageNumber":50}}"#)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    eprintln!("query page of {} bytes in {:?}", body.len(), t.elapsed());
}
