//! Issue 3 acceptance: `cxetl run cxone` against the CXone simulator over
//! real HTTP, read back from Parquet.

use crate::common::*;
use cxetl::simulator::{Faults, RequestKind, SimConfig, Simulator, TokenUse};
use cxetl::{Interval, Vendor};
use std::time::Duration;

fn cxone_config(conversations: usize, start: &str, end: &str) -> SimConfig {
    SimConfig {
        vendor: Vendor::Cxone,
        conversations,
        interval: Interval::parse(start, end).unwrap(),
        ..SimConfig::default()
    }
}

async fn run_cxone(
    sim: &Simulator,
    start: &str,
    end: &str,
    out: &std::path::Path,
    extra: &[&str],
) -> Run {
    let mut args: Vec<String> = ["run", "cxone", "--start", start, "--end", end, "--output"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let c = sim.config();
    let env = vec![
        ("CXONE_ACCESS_KEY_ID".to_string(), c.access_key_id.clone()),
        (
            "CXONE_ACCESS_KEY_SECRET".to_string(),
            c.access_key_secret.clone(),
        ),
        ("CXONE_CLIENT_ID".to_string(), c.client_id.clone()),
        ("CXONE_CLIENT_SECRET".to_string(), c.client_secret.clone()),
        ("CXONE_AUTH_URL".to_string(), sim.login_url()),
    ];
    cxetl_with_env(&args, &env).await
}

fn assert_matches_truth(out: &std::path::Path, sim: &Simulator, i: &Interval) {
    let truth = sim.ground_truth(i);
    let got = conversations(out);
    assert_eq!(got.rows, truth.count, "rows");
    assert_eq!(got.ids, truth.ids, "ids");
    assert_eq!(got.duration_ms_sum, truth.duration_ms_sum, "duration sum");
    let contacts: usize = read_table(out, "cxone_contacts")
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(contacts, truth.count, "cxone_contacts rows");
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
    // Discovery was used: the run found the API host from the tenant.
    assert!(sim
        .request_log()
        .iter()
        .any(|r| r.path.contains("cxone-configuration")));
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
        ..cxone_config(3000, "2026-11-20", "2026-11-23")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_tenant_is_a_clear_configuration_error() {
    let sim = start(cxone_config(10, "2026-11-20", "2026-11-21")).await;
    let http = reqwest::Client::new();
    let issuer = url::Url::parse(&sim.login_url()).unwrap();
    let err = cxetl::vendors::cxone::discovery::api_endpoint(
        &http,
        &issuer,
        "00000000-0000-0000-0000-000000000000",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, cxetl::Error::Config(_)), "{err}");
    assert!(err.to_string().contains("does not know tenant"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_vendors_share_one_conversations_table() {
    let genesys = start(small_config(300)).await;
    let cxone = start(cxone_config(300, "2026-11-20", "2026-11-22")).await;
    let out = tempfile::tempdir().unwrap();
    run_genesys(&genesys, "2026-11-20", "2026-11-22", out.path(), &[])
        .await
        .expect_code(0);
    run_cxone(&cxone, "2026-11-20", "2026-11-22", out.path(), &[])
        .await
        .expect_code(0);
    let files = table_files(out.path(), "conversations");
    assert!(files
        .iter()
        .any(|f| f.to_str().unwrap().contains("vendor=genesys")));
    assert!(files
        .iter()
        .any(|f| f.to_str().unwrap().contains("vendor=cxone")));
    let schemas: Vec<_> = files
        .iter()
        .map(|f| {
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                std::fs::File::open(f).unwrap(),
            )
            .unwrap()
            .schema()
            .clone()
        })
        .collect();
    assert!(
        schemas.windows(2).all(|w| w[0].fields() == w[1].fields()),
        "identical column types across vendors"
    );
    let i = Interval::parse("2026-11-20", "2026-11-22").unwrap();
    let got = conversations(out.path());
    assert_eq!(
        got.rows,
        genesys.ground_truth(&i).count + cxone.ground_truth(&i).count
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_cxone_credentials_exit_3_without_leaking_them() {
    let sim = start(cxone_config(10, "2026-11-20", "2026-11-21")).await;
    let out = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "run",
        "cxone",
        "--start",
        "2026-11-20",
        "--end",
        "2026-11-21",
        "--output",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(out.path().display().to_string());
    let c = sim.config();
    let env = vec![
        ("CXONE_ACCESS_KEY_ID".to_string(), c.access_key_id.clone()),
        (
            "CXONE_ACCESS_KEY_SECRET".to_string(),
            "wrong=key+secret".to_string(),
        ),
        ("CXONE_CLIENT_ID".to_string(), c.client_id.clone()),
        ("CXONE_CLIENT_SECRET".to_string(), c.client_secret.clone()),
        ("CXONE_AUTH_URL".to_string(), sim.login_url()),
    ];
    let run = cxetl_with_env(&args, &env).await;
    run.expect_code(3);
    assert!(run.stderr.contains("invalid_grant"), "{}", run.stderr);
    assert!(!run.stderr.contains("wrong=key+secret") && !run.stdout.contains("wrong=key+secret"));
    assert!(
        sim.request_log()
            .iter()
            .filter(|r| r.kind == RequestKind::Token)
            .count()
            <= 2
    );
}
