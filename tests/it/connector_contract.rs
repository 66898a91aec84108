//! The connector contract: what every vendor's `cxetl run <vendor>` must do
//! against its simulator over real HTTP, written once and run for each
//! [`Subject`] (`cargo test --test it connector_contract::token_expiry::`).
//! Vendor-only behaviour lives in the `genesys_*` and `cxone_*` modules.

use crate::common::store::{assert_exactly_once, reference, Target};
use crate::common::subject::{whole, END, MIDDLE, START};
use crate::common::*;
use cxetl::simulator::{Faults, RequestKind, SimConfig, TokenUse};
use cxetl::transform::Table;
use cxetl::Interval;
use std::time::Duration;

for_each_subject!(
    ground_truth,
    token_expiry,
    revocation,
    throttling,
    server_errors,
    retry_budget,
    forbidden,
    bad_credentials,
    secrets,
    bad_records,
    ownership,
    rerun,
    resume,
    schemas,
);

fn with_faults(subject: Subject, conversations: usize, faults: Faults) -> SimConfig {
    SimConfig {
        faults,
        ..subject.config(conversations)
    }
}

/// `args` followed by `more`.
fn plus<'a>(args: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(more).copied().collect()
}

/// Runs the whole interval, expects exit 0 and the simulator's truth.
async fn run_whole(subject: Subject, sim: &cxetl::simulator::Simulator, args: &[&str]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let run = subject.run(sim, START, END, out.path(), args).await;
    run.expect_code(0);
    subject.assert_matches_truth(out.path(), sim, &whole());
    run
}

/// Starts `subject`'s simulator with `faults` and runs the whole interval
/// over many pages with `concurrency` workers, to the truth.
async fn paged_with_faults(
    subject: Subject,
    conversations: usize,
    faults: Faults,
    concurrency: &str,
) -> (cxetl::simulator::Simulator, Run) {
    let sim = start(with_faults(subject, conversations, faults)).await;
    let args = plus(subject.paged(), &["--concurrency", concurrency]);
    let run = run_whole(subject, &sim, &args).await;
    (sim, run)
}

/// Output equals the ground truth, read back over many pages.
async fn ground_truth(subject: Subject) {
    let sim = subject.sim(1500).await;
    let run = run_whole(subject, &sim, subject.paged()).await;
    let s = run.summary();
    assert_eq!(s["status"], "succeeded");
    assert_eq!(s["vendor"], subject.name());
    assert_eq!(s["conversations"], sim.ground_truth(&whole()).count);
    assert!(
        s["api"]["pages"].as_u64().unwrap() > 4,
        "several pages: {s}"
    );
}

/// Tokens shorter than the run are refreshed before they expire, one
/// token request at a time.
async fn token_expiry(subject: Subject) {
    let sim = start(SimConfig {
        token_ttl: Duration::from_secs(2),
        token_latency: Duration::from_millis(100),
        page_latency: Duration::from_millis(300),
        ..subject.config(1200)
    })
    .await;
    let args = plus(
        subject.small_pages(),
        &["--slice", "6h", "--concurrency", "4"],
    );
    run_whole(subject, &sim, &args).await;

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

/// A token revoked early costs one refresh and one re-sent request.
async fn revocation(subject: Subject) {
    let faults = Faults {
        revoke_every: Some(4),
        ..Faults::default()
    };
    let (sim, run) = paged_with_faults(subject, 1200, faults, "1").await;

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

/// A throttle with `Retry-After` pauses the whole client for that long.
async fn throttling(subject: Subject) {
    let faults = Faults {
        throttle_every: Some(7),
        throttle_burst: 2,
        retry_after: Some(1),
        ..Faults::default()
    };
    let (sim, run) = paged_with_faults(subject, 800, faults, "2").await;

    let log = sim.request_log();
    let throttled: Vec<_> = log
        .iter()
        .filter(|r| r.status == subject.throttle_status())
        .collect();
    assert!(throttled.len() >= 2);
    for t in &throttled {
        let wait_ms =
            f64::from(t.retry_after.expect("injected throttles carry Retry-After")) * 1000.0;
        let next_same = log
            .iter()
            .find(|x| x.seq > t.seq && x.key == t.key)
            .expect("the throttled request is re-sent");
        assert!(
            next_same.received_ms >= t.responded_ms + wait_ms - 1.0,
            "re-sent {:.0} ms after a throttle that asked for {wait_ms} ms",
            next_same.received_ms - t.responded_ms
        );
        // The whole client pauses: nothing new starts inside the window
        // (allowing for a request already on the wire when the throttle landed).
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
    let counter = subject.throttle_counter();
    assert_eq!(run.summary()["http"][counter], throttled.len());
}

/// Load-balancer 5xx and dropped connections are retried to a complete run.
async fn server_errors(subject: Subject) {
    let faults = Faults {
        server_error_every: Some(4),
        reset_every: Some(7),
        ..Faults::default()
    };
    let sim = start(with_faults(subject, 1000, faults)).await;
    let run = run_whole(subject, &sim, subject.bulk()).await;
    let s = run.summary();
    let errors = s["http"]["server_errors"].as_u64().unwrap();
    assert!(errors > 0);
    assert!(s["http"]["retries"].as_u64().unwrap() >= errors);
    let log = sim.request_log();
    assert!(log.iter().any(|r| r.status == 0), "a reset was injected");
}

/// When every attempt fails, the run stops after `--max-attempts` with exit
/// 5 and publishes nothing.
async fn retry_budget(subject: Subject) {
    let faults = Faults {
        server_error_every: Some(1),
        ..Faults::default()
    };
    let sim = start(with_faults(subject, 200, faults)).await;
    let out = tempfile::tempdir().unwrap();
    let args = plus(
        subject.paged(),
        &["--max-attempts", "3", "--concurrency", "1"],
    );
    let run = subject.run(&sim, START, END, out.path(), &args).await;
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
    for t in subject.tables() {
        assert!(table_files(out.path(), t.name()).is_empty(), "{}", t.name());
    }
}

/// A 403 exits 4 naming the permission, is not retried, writes nothing.
async fn forbidden(subject: Subject) {
    let faults = Faults {
        forbidden: true,
        ..Faults::default()
    };
    let sim = start(with_faults(subject, 200, faults)).await;
    let out = tempfile::tempdir().unwrap();
    // One slice at a time: with more, each slice in flight sends its own
    // (first, distinct) request before the run stops.
    let run = subject
        .run(&sim, START, END, out.path(), &["--concurrency", "1"])
        .await;
    run.expect_code(4);
    assert!(run.stderr.contains(subject.permission()), "{}", run.stderr);
    let api: Vec<_> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Api)
        .collect();
    assert_eq!(api.len(), 1, "a 403 is not retried");
    assert_eq!(api[0].status, 403);
    for t in Table::all() {
        assert!(
            table_files(out.path(), t.name()).is_empty(),
            "{} written",
            t.name()
        );
    }
}

/// A wrong secret exits 3 at once, before any API request, without
/// echoing the secret anywhere.
async fn bad_credentials(subject: Subject) {
    let sim = subject.sim(100).await;
    let out = tempfile::tempdir().unwrap();
    let wrong = "wrong=key+secret";
    let (var, refusals) = subject.secret_var();
    let env = [(var.to_string(), wrong.to_string())];
    let output = out.path().display().to_string();
    let run = subject.run_to(&sim, START, END, &output, &[], &env).await;
    run.expect_code(3);
    assert!(
        refusals.iter().any(|r| run.stderr.contains(r)),
        "{}",
        run.stderr
    );
    let log = sim.request_log();
    assert!(log.iter().filter(|r| r.kind == RequestKind::Token).count() <= 2);
    assert_eq!(log.iter().filter(|r| r.kind == RequestKind::Api).count(), 0);
    assert!(!run.stderr.contains(wrong) && !run.stdout.contains(wrong));
    for f in all_files(out.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(wrong), "secret in {}", f.display());
    }
}

/// Secrets and access tokens reach neither stdout, stderr nor any file,
/// through refreshes and revocations with JSON logs.
async fn secrets(subject: Subject) {
    let sim = start(SimConfig {
        client_secret: "Zq8-very-secret-value-41".to_string(),
        access_key_secret: "Kx/9-secret=key+value-17".to_string(),
        token_ttl: Duration::from_secs(1),
        page_latency: Duration::from_millis(50),
        faults: Faults {
            revoke_every: Some(5),
            ..Faults::default()
        },
        ..subject.config(600)
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let args = plus(subject.paged(), &["--log-format", "json"]);
    let run = subject.run(&sim, START, END, out.path(), &args).await;
    run.expect_code(0);
    let tokens = sim.issued_tokens();
    assert!(tokens.len() > 1, "tokens were refreshed");
    let mut haystacks = vec![
        ("stdout".to_string(), run.stdout.clone().into_bytes()),
        ("stderr".to_string(), run.stderr.clone().into_bytes()),
    ];
    for f in all_files(out.path()) {
        haystacks.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    let secrets = subject.secrets(sim.config());
    for (name, hay) in &haystacks {
        let text = String::from_utf8_lossy(hay);
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "a secret in {name}");
        }
        for t in &tokens {
            assert!(!text.contains(t.as_str()), "access token in {name}");
        }
    }
}

/// Malformed records are quarantined with a reason and the raw record;
/// `--max-bad-records` decides between exit 0 and 7, the good data is
/// complete either way.
async fn bad_records(subject: Subject) {
    let sim = start(SimConfig {
        bad_records: 4,
        ..subject.config(600)
    })
    .await;
    let i = whole();
    assert_eq!(sim.ground_truth(&i).bad_records, 4);

    let strict = tempfile::tempdir().unwrap();
    let args = plus(subject.bulk(), &["--max-bad-records", "0"]);
    let run = subject.run(&sim, START, END, strict.path(), &args).await;
    run.expect_code(7);
    assert_eq!(run.summary()["quarantined"], 4);
    subject.assert_matches_truth(strict.path(), &sim, &i);

    let lenient = tempfile::tempdir().unwrap();
    let args = plus(subject.bulk(), &["--max-bad-records", "10"]);
    let run = subject.run(&sim, START, END, lenient.path(), &args).await;
    run.expect_code(0);
    assert_eq!(run.summary()["quarantined"], 4);
    subject.assert_matches_truth(lenient.path(), &sim, &i);

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
    for needle in subject.bad_record_fields() {
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

/// A run writes only the records that start inside its `[start, end)`;
/// adjacent runs (over different paths) add up to the truth exactly once.
async fn ownership(subject: Subject) {
    let sim = subject.sim(1200).await;
    let out = tempfile::tempdir().unwrap();
    subject
        .run(&sim, MIDDLE, END, out.path(), subject.paged())
        .await
        .expect_code(0);
    let second = Interval::parse(MIDDLE, END).unwrap();
    subject.assert_matches_truth(out.path(), &sim, &second);
    let (lo, hi) = (
        second.start().timestamp_micros(),
        second.end().timestamp_micros(),
    );
    let starts = conversations(out.path()).starts_us;
    assert!(
        starts.iter().all(|s| (lo..hi).contains(s)),
        "a record starting outside the run's interval was written"
    );

    subject
        .run(&sim, START, MIDDLE, out.path(), subject.bulk())
        .await
        .expect_code(0);
    subject.assert_matches_truth(out.path(), &sim, &whole());
    let got = conversations(out.path());
    assert_eq!(got.ids.len(), got.rows, "no record twice");
}

/// Re-running an interval replaces what it wrote: the same files, byte for
/// byte, the truth once, no staging left.
async fn rerun(subject: Subject) {
    let sim = subject.sim(1200).await;
    let out = tempfile::tempdir().unwrap();
    subject
        .run(&sim, START, END, out.path(), subject.bulk())
        .await
        .expect_code(0);
    let snapshot = || -> Vec<(std::path::PathBuf, Vec<u8>)> {
        subject
            .tables()
            .iter()
            .flat_map(|t| table_files(out.path(), t.name()))
            .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
            .collect()
    };
    let before = snapshot();
    subject
        .run(&sim, START, MIDDLE, out.path(), subject.bulk())
        .await
        .expect_code(0);
    assert_eq!(
        before,
        snapshot(),
        "re-running an interval reproduces the same files"
    );
    subject.assert_matches_truth(out.path(), &sim, &whole());
    assert!(
        all_files(&out.path().join("_staging")).is_empty(),
        "staging is cleaned up"
    );
}

/// A run killed at any step of the commit protocol (the `CXETL_FAILPOINT`
/// crash points), on every store of `Target::all`, resumes to the output of
/// an uninterrupted run.
async fn resume(subject: Subject) {
    let sim = subject.sim(1200).await;
    let plan = plus(subject.bulk(), &["--slice", "12h", "--concurrency", "1"]);
    let reference = reference(subject, &sim, &plan).await;
    let cases = [
        ("page", "3"),
        ("staged", "2"),
        ("renamed", "7"),
        ("published", "2"),
    ];
    let targets = Target::all().await;
    for (i, (point, n)) in cases.iter().enumerate() {
        // Alternate the store so each sees crashes; a fresh one per case.
        let target = targets[i % targets.len()].fresh().await;
        let ctx = format!("{} crash at {point}:{n}", target.name());
        let mut env = target.env();
        env.push(("CXETL_FAILPOINT".into(), format!("{point}:{n}")));
        let crashed = subject
            .run_to(&sim, START, END, &target.url(), &plan, &env)
            .await;
        assert_eq!(
            crashed.code, 137,
            "{ctx}: the failpoint should end the run\n{}",
            crashed.stderr
        );
        // Whatever the crash left, readers never see a torn file: every file
        // under the table folders opens and reads to the end.
        let view = target.view().await;
        for t in subject.tables() {
            for f in all_files(&view.join(t.name())) {
                assert!(
                    f.extension().is_some_and(|e| e == "parquet"),
                    "{ctx}: stray {}",
                    f.display()
                );
                let rows: usize = read_file(&f).iter().map(|b| b.num_rows()).sum();
                assert!(rows > 0, "{ctx}: empty file {}", f.display());
            }
        }

        let resumed = target.run(subject, &sim, START, END, &plan).await;
        resumed.expect_code(0);
        let view = target.view().await;
        assert_exactly_once(subject, &view, &sim, &reference, &ctx);
        let s = resumed.summary();
        assert_eq!(
            s["conversations"],
            conversations(&view).rows,
            "{ctx}: the resumed summary covers the whole interval"
        );
        if *point == "published" || *point == "renamed" {
            assert!(
                resumed.stderr.contains("resuming an interrupted run"),
                "{ctx}: the checkpoint was used"
            );
        }
        for leftover in ["_staging", "_state", "_leases"] {
            assert!(
                all_files(&view.join(leftover)).is_empty(),
                "{ctx}: {leftover} left after success"
            );
        }
    }
}

/// Every file carries its table's declared schema, zstd-compressed, under
/// `date=` = the UTC date of `started_at`.
async fn schemas(subject: Subject) {
    let sim = subject.sim(800).await;
    let out = tempfile::tempdir().unwrap();
    subject
        .run(&sim, START, END, out.path(), &[])
        .await
        .expect_code(0);
    for table in subject.tables() {
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
            let codec = reader.metadata().row_group(0).column(0).compression();
            assert!(
                matches!(codec, parquet::basic::Compression::ZSTD(_)),
                "{codec:?}"
            );
        }
    }
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
