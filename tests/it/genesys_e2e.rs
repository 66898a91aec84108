//! Issue 2 acceptance: the real binary against the Genesys simulator over
//! real HTTP, with the output read back from Parquet.

use crate::common::*;
use cxetl::simulator::{Faults, RequestKind, SimConfig, TokenUse};
use cxetl::transform::Table;
use cxetl::Interval;
use std::time::Duration;

const START: &str = "2026-11-20";
const END: &str = "2026-11-22";

fn interval(start: &str, end: &str) -> Interval {
    Interval::parse(start, end).unwrap()
}

fn assert_matches_truth(out: &std::path::Path, sim: &cxetl::simulator::Simulator, i: &Interval) {
    let truth = sim.ground_truth(i);
    let got = conversations(out);
    assert!(truth.count > 100, "the test interval should hold data");
    assert_eq!(got.rows, truth.count, "conversation rows");
    assert_eq!(got.ids, truth.ids, "conversation ids");
    assert_eq!(
        got.duration_ms_sum, truth.duration_ms_sum,
        "sum of durations"
    );
    assert_eq!(
        got.ongoing, truth.ongoing,
        "ongoing conversations (null duration)"
    );
}

/// Runs `cxetl run genesys` over the whole test interval, expects exit 0
/// and checks the lake against the simulator's truth.
async fn run_whole_interval(
    sim: &cxetl::simulator::Simulator,
    args: &[&str],
) -> (tempfile::TempDir, Run) {
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(sim, START, END, out.path(), args).await;
    run.expect_code(0);
    assert_matches_truth(out.path(), sim, &interval(START, END));
    (out, run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_path_matches_ground_truth() {
    let sim = start(small_config(1500)).await;
    let (_out, run) = run_whole_interval(&sim, &["--genesys-api", "jobs"]).await;
    let s = run.summary();
    assert_eq!(s["status"], "succeeded");
    assert_eq!(
        s["conversations"],
        sim.ground_truth(&interval(START, END)).count
    );
    assert_eq!(s["api"]["jobs_submitted"], 2, "one job per daily slice");
    // Jobs return every conversation overlapping the interval; the ones that
    // started before it belong to another run and are counted, not written.
    assert!(s["skipped"]["out_of_window"].as_u64().unwrap() > 0);
    let log = sim.request_log();
    let deletes = log.iter().filter(|r| r.method == "DELETE").count();
    assert_eq!(deletes, 2, "every finished job is deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_path_matches_ground_truth_despite_day_semantics() {
    let sim = start(small_config(1500)).await;
    let out = tempfile::tempdir().unwrap();
    // 6 h slices: the query returns whole UTC days, so most of each page is
    // someone else's; ownership keeps each conversation in exactly one slice.
    let run = run_genesys(
        &sim,
        START,
        END,
        out.path(),
        &["--genesys-api", "query", "--slice", "6h"],
    )
    .await;
    run.expect_code(0);
    assert_matches_truth(out.path(), &sim, &interval(START, END));
    let log = sim.request_log();
    assert!(log
        .iter()
        .all(|r| r.kind == RequestKind::Token || r.path.ends_with("/details/query")));
    assert_eq!(
        table_files(out.path(), "conversations").len(),
        8,
        "one file per 6 h slice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_token_lifetime_over_slow_pages() {
    let sim = start(SimConfig {
        token_ttl: Duration::from_secs(2),
        token_latency: Duration::from_millis(100),
        page_latency: Duration::from_millis(300),
        ..small_config(1200)
    })
    .await;
    let (_out, _run) = run_whole_interval(
        &sim,
        &[
            "--genesys-api",
            "query",
            "--slice",
            "6h",
            "--concurrency",
            "4",
        ],
    )
    .await;

    let log = sim.request_log();
    let api: Vec<_> = log.iter().filter(|r| r.kind == RequestKind::Api).collect();
    let tokens: Vec<_> = log
        .iter()
        .filter(|r| r.kind == RequestKind::Token)
        .collect();
    assert!(api.iter().all(|r| r.status == 200), "no request failed");
    assert!(
        api.iter().all(|r| r.token == TokenUse::Valid),
        "a request went out with a token the client knew was expired"
    );
    assert!(
        tokens.iter().all(|r| r.concurrent_token_requests == 1),
        "two token requests were in flight at once"
    );
    let run_ms = api.last().unwrap().responded_ms - tokens[0].received_ms;
    let lifetimes = run_ms / 2000.0;
    assert!(
        lifetimes > 2.0,
        "the run should outlive several tokens ({run_ms} ms)"
    );
    let n = tokens.len() as f64;
    assert!(
        n >= lifetimes.floor() && n <= 2.0 * lifetimes + 2.0,
        "{n} token requests for {lifetimes:.1} token lifetimes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_revocation_costs_one_refresh_and_one_retry_each() {
    let sim = start(SimConfig {
        faults: Faults {
            revoke_every: Some(4),
            ..Faults::default()
        },
        ..small_config(1200)
    })
    .await;
    let (_out, run) =
        run_whole_interval(&sim, &["--genesys-api", "query", "--concurrency", "1"]).await;

    let log = sim.request_log();
    let revoked: Vec<_> = log
        .iter()
        .filter(|r| r.kind == RequestKind::Api && r.status == 401)
        .collect();
    let tokens = log.iter().filter(|r| r.kind == RequestKind::Token).count();
    assert!(revoked.len() >= 3, "the fault should fire several times");
    assert_eq!(
        tokens,
        1 + revoked.len(),
        "exactly one refresh per revocation"
    );
    for r in &revoked {
        let resent: Vec<_> = log
            .iter()
            .filter(|x| x.seq > r.seq && x.key == r.key)
            .collect();
        assert_eq!(resent.len(), 1, "request {} re-sent exactly once", r.key);
        assert_eq!(resent[0].status, 200);
        assert_eq!(resent[0].token, TokenUse::Valid);
        assert_ne!(
            resent[0].token_id, r.token_id,
            "re-signed with the new token"
        );
    }
    assert_eq!(run.summary()["http"]["unauthorized"], revoked.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_waits_out_retry_after_across_the_client() {
    let sim = start(SimConfig {
        faults: Faults {
            throttle_every: Some(7),
            throttle_burst: 2,
            retry_after: Some(1),
            ..Faults::default()
        },
        ..small_config(800)
    })
    .await;
    let (_out, run) =
        run_whole_interval(&sim, &["--genesys-api", "query", "--concurrency", "2"]).await;

    let log = sim.request_log();
    let throttled: Vec<_> = log.iter().filter(|r| r.status == 429).collect();
    assert!(throttled.len() >= 2);
    for t in &throttled {
        let wait_ms = f64::from(t.retry_after.expect("injected 429s carry Retry-After")) * 1000.0;
        let next_same = log
            .iter()
            .find(|x| x.seq > t.seq && x.key == t.key)
            .expect("the throttled request is re-sent");
        assert!(
            next_same.received_ms >= t.responded_ms + wait_ms - 1.0,
            "re-sent {:.0} ms after a 429 that asked for {wait_ms} ms",
            next_same.received_ms - t.responded_ms
        );
        // The whole client pauses: nothing new starts inside the window
        // (allowing for a request already on the wire when the 429 landed).
        let inside = log.iter().filter(|x| {
            x.kind == RequestKind::Api
                && x.received_ms > t.responded_ms + 250.0
                && x.received_ms < t.responded_ms + wait_ms - 1.0
        });
        assert_eq!(
            inside.count(),
            0,
            "a request started while the client was told to wait"
        );
    }
    assert_eq!(run.summary()["http"]["throttled"], throttled.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_resets_are_retried_to_completion() {
    let sim = start(SimConfig {
        faults: Faults {
            server_error_every: Some(4),
            reset_every: Some(7),
            ..Faults::default()
        },
        ..small_config(1000)
    })
    .await;
    let (_out, run) = run_whole_interval(&sim, &["--genesys-api", "jobs"]).await;
    let s = run.summary();
    assert!(s["http"]["server_errors"].as_u64().unwrap() > 0);
    assert!(s["http"]["retries"].as_u64().unwrap() >= s["http"]["server_errors"].as_u64().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_budget_exhausted_exits_5_without_partial_tables() {
    let sim = start(SimConfig {
        faults: Faults {
            server_error_every: Some(1),
            ..Faults::default()
        },
        ..small_config(200)
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(
        &sim,
        START,
        END,
        out.path(),
        &[
            "--genesys-api",
            "query",
            "--max-attempts",
            "3",
            "--concurrency",
            "1",
        ],
    )
    .await;
    run.expect_code(5);
    let s = run.summary();
    assert_eq!(s["status"], "failed");
    assert!(
        s["error"].as_str().unwrap().contains("3 attempts"),
        "{}",
        s["error"]
    );
    let api = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Api)
        .count();
    assert_eq!(api, 3, "bounded attempts");
    assert!(table_files(out.path(), "conversations").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_permission_exits_4_and_names_it() {
    let sim = start(SimConfig {
        faults: Faults {
            forbidden: true,
            ..Faults::default()
        },
        ..small_config(200)
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(&sim, START, END, out.path(), &[]).await;
    run.expect_code(4);
    assert!(
        run.stderr.contains("analytics:conversationDetail:view"),
        "{}",
        run.stderr
    );
    let api: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Api)
        .collect();
    assert_eq!(api.len(), 1, "a 403 is not retried");
    for t in Table::all() {
        assert!(
            table_files(out.path(), t.name()).is_empty(),
            "{} written",
            t.name()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_exit_3_at_once() {
    let sim = start(small_config(100)).await;
    let out = tempfile::tempdir().unwrap();
    let args: Vec<String> = ["run", "genesys", "--start", START, "--end", END, "--output"]
        .iter()
        .map(|s| s.to_string())
        .chain([out.path().display().to_string()])
        .collect();
    let env = vec![
        ("GENESYS_CLIENT_ID".to_string(), "sim-client".to_string()),
        (
            "GENESYS_CLIENT_SECRET".to_string(),
            "wrong-secret".to_string(),
        ),
        ("GENESYS_API_URL".to_string(), sim.api_url()),
        ("GENESYS_LOGIN_URL".to_string(), sim.login_url()),
    ];
    let run = cxetl_with_env(&args, &env).await;
    run.expect_code(3);
    assert!(
        run.stderr.contains("invalid_client") || run.stderr.contains("refused"),
        "{}",
        run.stderr
    );
    let log = sim.request_log();
    assert!(log.iter().filter(|r| r.kind == RequestKind::Token).count() <= 2);
    assert_eq!(log.iter().filter(|r| r.kind == RequestKind::Api).count(), 0);
    assert!(!run.stderr.contains("wrong-secret") && !run.stdout.contains("wrong-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_records_are_quarantined_and_limit_decides_exit_7() {
    let sim = start(SimConfig {
        bad_records: 4,
        ..small_config(600)
    })
    .await;
    let i = interval(START, END);
    let truth = sim.ground_truth(&i);
    assert_eq!(truth.bad_records, 4);

    let strict = tempfile::tempdir().unwrap();
    let run = run_genesys(
        &sim,
        START,
        END,
        strict.path(),
        &["--genesys-api", "jobs", "--max-bad-records", "0"],
    )
    .await;
    run.expect_code(7);
    assert_eq!(run.summary()["quarantined"], 4);
    assert_matches_truth(strict.path(), &sim, &i);

    let lenient = tempfile::tempdir().unwrap();
    let run = run_genesys(
        &sim,
        START,
        END,
        lenient.path(),
        &["--genesys-api", "jobs", "--max-bad-records", "10"],
    )
    .await;
    run.expect_code(0);
    assert_matches_truth(lenient.path(), &sim, &i);

    let lines: Vec<serde_json::Value> = all_files(&lenient.path().join("_quarantine"))
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(lines.len(), 4);
    let reasons: Vec<&str> = lines
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    for needle in [
        "conversationId",
        "conversationStart",
        "participants",
        "segmentStart",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(needle)),
            "no quarantine reason mentions {needle}: {reasons:?}"
        );
    }
    assert!(
        lines.iter().all(|l| l["record"].is_object()),
        "the raw record is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adjacent_intervals_and_reruns_are_exactly_once() {
    let sim = start(small_config(1200)).await;
    let out = tempfile::tempdir().unwrap();
    run_genesys(
        &sim,
        "2026-11-20",
        "2026-11-21",
        out.path(),
        &["--genesys-api", "jobs"],
    )
    .await
    .expect_code(0);
    run_genesys(
        &sim,
        "2026-11-21",
        "2026-11-22",
        out.path(),
        &["--genesys-api", "query"],
    )
    .await
    .expect_code(0);
    assert_matches_truth(out.path(), &sim, &interval(START, END));

    let before: Vec<(std::path::PathBuf, Vec<u8>)> = table_files(out.path(), "conversations")
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    run_genesys(
        &sim,
        "2026-11-20",
        "2026-11-21",
        out.path(),
        &["--genesys-api", "jobs"],
    )
    .await
    .expect_code(0);
    let after: Vec<(std::path::PathBuf, Vec<u8>)> = table_files(out.path(), "conversations")
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    assert_eq!(
        before, after,
        "re-running an interval reproduces the same files"
    );
    assert_matches_truth(out.path(), &sim, &interval(START, END));
    assert!(
        !out.path()
            .join("_staging")
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(false),
        "staging is cleaned up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_carry_the_declared_schemas_and_partition_dates() {
    let sim = start(small_config(800)).await;
    let out = tempfile::tempdir().unwrap();
    run_genesys(&sim, START, END, out.path(), &[])
        .await
        .expect_code(0);
    for table in crate::common::genesys_tables() {
        let files = table_files(out.path(), table.name());
        assert!(!files.is_empty(), "{} has files", table.name());
        for f in files {
            let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                std::fs::File::open(&f).unwrap(),
            )
            .unwrap();
            assert_eq!(
                reader.schema().fields(),
                table.schema().fields(),
                "{}",
                f.display()
            );
            let meta = reader.metadata();
            let codec = meta.row_group(0).column(0).compression();
            assert!(
                matches!(codec, parquet::basic::Compression::ZSTD(_)),
                "{codec:?}"
            );
        }
    }
    // date= is the UTC calendar date of started_at.
    for f in table_files(out.path(), "conversations") {
        let date = f
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .trim_start_matches("date=")
            .to_string();
        for b in read_file(&f) {
            let col = b.column_by_name("started_at").unwrap();
            let ts = arrow::array::AsArray::as_primitive::<
                arrow::datatypes::TimestampMicrosecondType,
            >(col);
            for v in ts.values() {
                let day = chrono::DateTime::from_timestamp_micros(*v)
                    .unwrap()
                    .date_naive()
                    .to_string();
                assert_eq!(day, date);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_output_or_logs() {
    let secret = "Zq8-very-secret-value-41";
    let sim = start(SimConfig {
        client_secret: secret.to_string(),
        token_ttl: Duration::from_secs(1),
        page_latency: Duration::from_millis(50),
        faults: Faults {
            revoke_every: Some(5),
            ..Faults::default()
        },
        ..small_config(600)
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = run_genesys(
        &sim,
        START,
        END,
        out.path(),
        &["--genesys-api", "query", "--log-format", "json"],
    )
    .await;
    run.expect_code(0);
    let tokens = sim.issued_tokens();
    assert!(!tokens.is_empty());
    let mut haystacks = vec![
        ("stdout".to_string(), run.stdout.clone().into_bytes()),
        ("stderr".to_string(), run.stderr.clone().into_bytes()),
    ];
    for f in all_files(out.path()) {
        haystacks.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    for (name, hay) in &haystacks {
        let text = String::from_utf8_lossy(hay);
        assert!(!text.contains(secret), "client secret in {name}");
        for t in &tokens {
            assert!(!text.contains(t.as_str()), "access token in {name}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_summary_matches_the_parquet_it_wrote() {
    let out = tempfile::tempdir().unwrap();
    let args: Vec<String> = ["demo", "--conversations", "1500", "--output"]
        .iter()
        .map(|s| s.to_string())
        .chain([out.path().display().to_string()])
        .collect();
    let run = cxetl_with_env(&args, &[]).await;
    run.expect_code(0);
    // One summary line per vendor; the last stdout line is CXone's.
    let summaries: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries[0]["vendor"], "genesys");
    assert_eq!(summaries[1]["vendor"], "cxone");
    assert_eq!(run.summary()["vendor"], "cxone");
    let got = conversations(out.path());
    let total: u64 = summaries
        .iter()
        .map(|s| s["conversations"].as_u64().unwrap())
        .sum();
    let duration: i64 = summaries
        .iter()
        .map(|s| s["total_duration_ms"].as_i64().unwrap())
        .sum();
    assert_eq!(total as usize, got.rows);
    assert_eq!(duration, got.duration_ms_sum);
    assert_eq!(got.ids.len(), got.rows, "no duplicates");
    for s in &summaries {
        let vendor = s["vendor"].as_str().unwrap();
        for (table, rows) in s["tables"].as_object().unwrap() {
            let n: usize = table_files(out.path(), table)
                .iter()
                .filter(|p| p.to_str().unwrap().contains(&format!("vendor={vendor}")))
                .flat_map(|p| read_file(p))
                .map(|b| b.num_rows())
                .sum();
            assert_eq!(rows.as_u64().unwrap() as usize, n, "{vendor} {table}");
        }
        let bytes: u64 = s["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["bytes"].as_u64().unwrap())
            .sum();
        let on_disk: u64 = s["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                std::fs::metadata(out.path().join(f["path"].as_str().unwrap()))
                    .unwrap()
                    .len()
            })
            .sum();
        assert_eq!(bytes, on_disk, "{vendor}");
        assert!(
            s["http"]["retries"].as_u64().unwrap() > 0,
            "{vendor}: the demo shows faults being absorbed"
        );
    }
}
