//! Issue 14: `--format delta`. Every table is read back by the Python
//! `deltalake` package (delta-rs) and by Polars (`scripts/read_delta.py`),
//! at every version where it matters, and compared with the simulator's
//! truth and with what the Parquet format writes for the same run.
//!
//! The readers come from the venv `.ci/run` installs (`CXETL_TEST_PYTHON`,
//! else `target/ci-venv/bin/python`); without them each test prints
//! "skipped: …" and passes, so `cargo test` works anywhere.

use crate::common::s3::S3Server;
use crate::common::store::{self, Target};
use crate::common::subject::{whole, END, MIDDLE, START};
use crate::common::*;
use cxetl::simulator::Simulator;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const GENESYS: Subject = Subject::Genesys;

/// The Python with `deltalake` and `polars`, if there is one.
fn python() -> Option<PathBuf> {
    let candidate = std::env::var_os("CXETL_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/python"));
    let ok = std::process::Command::new(&candidate)
        .args(["-c", "import deltalake, polars"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(candidate)
    } else {
        println!(
            "skipped: no Python with deltalake and polars at {} (set CXETL_TEST_PYTHON; .ci/run installs them)",
            candidate.display()
        );
        None
    }
}

/// What delta-rs and Polars read from one table, one entry per version asked.
fn read(py: &Path, dir: &Path, table: &str, id_column: &str, which: &[&str]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/read_delta.py");
    let out = std::process::Command::new(py)
        .arg(script)
        .arg(dir.join(table))
        .arg(id_column)
        .args(which)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "read_delta.py {table}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn latest(py: &Path, dir: &Path, table: &str, id_column: &str) -> Value {
    read(py, dir, table, id_column, &["latest"]).remove(0)
}

fn ids(v: &Value) -> Vec<String> {
    v["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// The distinct conversation ids of `v` (one table version); panics when
/// one appears twice.
fn distinct_ids(v: &Value, context: &str) -> BTreeSet<String> {
    let got = ids(v);
    let distinct: BTreeSet<String> = got.iter().cloned().collect();
    assert_eq!(got.len(), distinct.len(), "{context}: a conversation twice");
    distinct
}

/// Panics unless `v` (the conversations table at one version) holds the
/// truth of [`whole`] exactly once, read alike by delta-rs and Polars.
fn assert_truth(v: &Value, sim: &Simulator, context: &str) {
    let truth = sim.ground_truth(&whole());
    let distinct = distinct_ids(v, context);
    assert_eq!(distinct, truth.ids, "{context}: conversation ids");
    assert_eq!(
        v["rows"].as_u64().unwrap() as usize,
        truth.count,
        "{context}: rows"
    );
    assert_eq!(
        v["duration_ms_sum"].as_i64().unwrap(),
        truth.duration_ms_sum,
        "{context}: duration sum"
    );
    assert_eq!(v["polars_rows"], v["rows"], "{context}: Polars rows");
    assert_eq!(v["polars_ids_equal"], true, "{context}: Polars ids");
    assert_eq!(
        v["duckdb_ids_equal"], true,
        "{context}: DuckDB over the version's files"
    );
}

/// The first natural-key column of a table (what `read_delta.py` lists).
fn id_column(table: &str) -> &'static str {
    &cxetl::transform::Table::named(table).natural_key()[0]
}

/// `cxetl vacuum --output URL --retain R`, expected to succeed; its JSON line.
async fn vacuum(output: &str, retain: &str, env: &[(String, String)]) -> Value {
    let args = ["vacuum", "--output", output, "--retain", retain].map(String::from);
    let run = cxetl_with_env(&args, env).await;
    run.expect_code(0);
    run.summary()
}

/// Rows per table of `subject`'s record stream as delta-rs reads them.
fn delta_rows(py: &Path, subject: Subject, dir: &Path) -> BTreeMap<String, usize> {
    subject
        .tables()
        .iter()
        .map(|t| {
            let v = latest(py, dir, t.name(), id_column(t.name()));
            (t.name().to_string(), v["rows"].as_u64().unwrap() as usize)
        })
        .collect()
}

async fn interval_and_snapshot_tables_equal_the_truth(subject: Subject) {
    let Some(py) = python() else { return };
    let sim = subject.sim(600).await;
    let snapshot = match subject {
        Subject::Genesys => ("users", "genesys_users"),
        Subject::Cxone => ("agents", "cxone_agents"),
    };
    let streams = format!("{},{}", subject.record_stream(), snapshot.0);
    let parquet = tempfile::tempdir().unwrap();
    subject
        .run(&sim, START, END, parquet.path(), &["--streams", &streams])
        .await
        .expect_code(0);
    let out = tempfile::tempdir().unwrap();
    let args = [
        "--streams",
        &streams,
        "--format",
        "delta",
        "--snapshot-max-age",
        "0",
    ];
    let run = subject.run(&sim, START, END, out.path(), &args).await;
    run.expect_code(0);
    let summary = run.summary();
    assert_eq!(summary["format"], "delta");
    assert!(summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| out.path().join(f["path"].as_str().unwrap()).is_file()));

    let v = latest(&py, out.path(), "conversations", "conversation_id");
    assert_truth(&v, &sim, "first run");
    assert_eq!(v["protocol"], serde_json::json!([1, 2]));
    assert_eq!(
        v["partition_columns"],
        serde_json::json!(["vendor", "date"])
    );
    assert_eq!(v["types"]["started_at"], "timestamp[us, tz=UTC]");
    assert_eq!(v["types"]["date"], "date32[day]");
    assert_eq!(
        delta_rows(&py, subject, out.path()),
        store::table_rows(subject, parquet.path()),
        "every table holds what the Parquet format writes"
    );
    for table in [snapshot.1, "agents"] {
        let v = latest(&py, out.path(), table, id_column(table));
        assert_eq!(
            v["partition_columns"],
            serde_json::json!(["vendor", "snapshot_date"])
        );
        let parquet_rows: usize = read_table(parquet.path(), table)
            .iter()
            .map(|b| b.num_rows())
            .sum();
        assert!(parquet_rows > 0);
        assert_eq!(
            v["rows"].as_u64().unwrap() as usize,
            parquet_rows,
            "{table}"
        );
        assert_eq!(v["polars_rows"], v["rows"], "{table}: Polars");
    }

    // The same command again replaces, never duplicates, at every version.
    subject
        .run(&sim, START, END, out.path(), &args)
        .await
        .expect_code(0);
    let v = latest(&py, out.path(), "conversations", "conversation_id");
    assert_truth(&v, &sim, "re-run");
    assert_eq!(
        delta_rows(&py, subject, out.path()),
        store::table_rows(subject, parquet.path()),
        "re-run"
    );
    for table in [snapshot.1, "agents"] {
        let versions = read(&py, out.path(), table, id_column(table), &["all"]);
        let last = versions.last().unwrap();
        let parquet_rows: usize = read_table(parquet.path(), table)
            .iter()
            .map(|b| b.num_rows())
            .sum();
        assert_eq!(
            last["rows"].as_u64().unwrap() as usize,
            parquet_rows,
            "{table} after a re-listing"
        );
        for v in &versions {
            let got = ids(v);
            let distinct: BTreeSet<_> = got.iter().collect();
            assert_eq!(
                got.len(),
                distinct.len(),
                "{table} v{}: an entry twice",
                v["version"]
            );
        }
    }
}

for_each_subject!(interval_and_snapshot_tables_equal_the_truth);

/// Daily, then hourly inside a day (cutting the daily files), then daily
/// again: every version of every table after the first run holds each
/// conversation exactly once, on local disk, the S3 server, Azurite and
/// fake GCS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_hourly_daily_is_exactly_once_at_every_version() {
    let Some(py) = python() else { return };
    let sim = start(small_config(1200)).await;
    let reference = store::reference(GENESYS, &sim, &["--genesys-api", "jobs"]).await;
    for target in Target::all().await {
        let ctx = target.name();
        let daily = ["--genesys-api", "jobs", "--format", "delta"];
        target
            .run(GENESYS, &sim, START, END, &daily)
            .await
            .expect_code(0);
        // A cloud's view is a copy, so it is taken again after each run.
        let dir = target.view().await;
        let first = latest(&py, &dir, "conversations", "conversation_id");
        assert_truth(&first, &sim, &format!("{ctx} daily"));
        let after_first = first["version"].as_i64().unwrap();
        target
            .run(
                GENESYS,
                &sim,
                "2026-11-20T06:00:00Z",
                "2026-11-20T09:00:00Z",
                &[
                    "--genesys-api",
                    "query",
                    "--slice",
                    "1h",
                    "--format",
                    "delta",
                ],
            )
            .await
            .expect_code(0);
        let dir = target.view().await;
        assert_eq!(delta_rows(&py, GENESYS, &dir), reference, "{ctx} hourly");
        target
            .run(GENESYS, &sim, START, END, &daily)
            .await
            .expect_code(0);
        let dir = target.view().await;
        assert_eq!(
            delta_rows(&py, GENESYS, &dir),
            reference,
            "{ctx} daily again"
        );

        let versions = read(&py, &dir, "conversations", "conversation_id", &["all"]);
        for v in &versions {
            let n = v["version"].as_i64().unwrap();
            let context = format!("{ctx} conversations v{n}");
            if n >= after_first {
                assert_truth(v, &sim, &context);
            } else {
                let distinct = distinct_ids(v, &context);
                assert!(
                    distinct.is_subset(&sim.ground_truth(&whole()).ids),
                    "{context}"
                );
            }
        }
        assert!(
            versions.len() as i64 >= after_first + 1 + 3 + 2,
            "{ctx}: one commit per slice (3 hourly, 2 daily) after the first run"
        );
        // The child tables follow their conversations at every version too.
        let reference_participants = reference["genesys_participants"];
        for v in read(
            &py,
            &dir,
            "genesys_participants",
            "conversation_id",
            &["all"],
        ) {
            let n = v["version"].as_i64().unwrap();
            if ids(&v).into_iter().collect::<BTreeSet<_>>() == sim.ground_truth(&whole()).ids {
                assert_eq!(
                    v["rows"].as_u64().unwrap() as usize,
                    reference_participants,
                    "{ctx} participants v{n}"
                );
            }
        }
    }
}

/// Two shards on disjoint days running at once into one lake: their commits
/// to the same tables interleave (a lost race re-reads the log and takes the
/// next version) and neither fails; every version is duplicate-free and the
/// last equals the truth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_shards_on_other_days_commit_to_the_same_tables() {
    let Some(py) = python() else { return };
    let sim = start(small_config(1200)).await;
    let out = tempfile::tempdir().unwrap();
    let args = [
        "--genesys-api",
        "query",
        "--slice",
        "1h",
        "--format",
        "delta",
    ];
    let (a, b) = tokio::join!(
        GENESYS.run(&sim, START, MIDDLE, out.path(), &args),
        GENESYS.run(&sim, MIDDLE, END, out.path(), &args),
    );
    a.expect_code(0);
    b.expect_code(0);
    let versions = read(
        &py,
        out.path(),
        "conversations",
        "conversation_id",
        &["all"],
    );
    assert_truth(versions.last().unwrap(), &sim, "both shards");
    for v in &versions {
        distinct_ids(v, &format!("v{}", v["version"]));
    }
    // 48 hourly slices, one commit each (plus none lost).
    assert_eq!(versions.len(), 48, "one version per slice");
    let raced = [&a, &b]
        .iter()
        .map(|r| r.stderr.matches("committed this version first").count())
        .sum::<usize>();
    println!("lost commit races retried: {raced}");
}

/// The checkpoint every 10 commits: Parquet written by cxetl, read by
/// delta-rs; and one written by delta-rs, read by cxetl's next run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_are_read_both_ways() {
    let Some(py) = python() else { return };
    let sim = start(small_config(600)).await;
    let out = tempfile::tempdir().unwrap();
    let hourly = [
        "--genesys-api",
        "query",
        "--slice",
        "2h",
        "--format",
        "delta",
    ];
    GENESYS
        .run(&sim, START, MIDDLE, out.path(), &hourly)
        .await
        .expect_code(0);
    let log = out.path().join("conversations/_delta_log");
    assert!(log
        .join("00000000000000000010.checkpoint.parquet")
        .is_file());
    let last: Value =
        serde_json::from_slice(&std::fs::read(log.join("_last_checkpoint")).unwrap()).unwrap();
    assert_eq!(last["version"], 10);
    // delta-rs replays from our checkpoint alone once the commits before it are gone.
    for v in 0..10 {
        std::fs::remove_file(log.join(format!("{v:020}.json"))).unwrap();
    }
    let v = latest(&py, out.path(), "conversations", "conversation_id");
    assert_eq!(v["version"], 11);
    // A checkpoint written by delta-rs, then cxetl writes the next day on top.
    let status = std::process::Command::new(&py)
        .args(["-c", "import sys; from deltalake import DeltaTable; DeltaTable(sys.argv[1]).create_checkpoint()"])
        .arg(out.path().join("conversations"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(log.join("00000000000000000010.checkpoint.parquet")).unwrap();
    std::fs::remove_file(log.join("00000000000000000010.json")).ok();
    std::fs::remove_file(log.join("00000000000000000011.json")).unwrap();
    GENESYS
        .run(&sim, MIDDLE, END, out.path(), &hourly)
        .await
        .expect_code(0);
    assert_truth(
        &latest(&py, out.path(), "conversations", "conversation_id"),
        &sim,
        "after a delta-rs checkpoint",
    );
}

/// `cxetl vacuum`: within the retention nothing goes; with none, every
/// file the latest version does not reference goes, and it still reads whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vacuum_deletes_only_unreferenced_files_after_the_retention() {
    let Some(py) = python() else { return };
    let sim = start(small_config(600)).await;
    let out = tempfile::tempdir().unwrap();
    let daily = ["--genesys-api", "jobs", "--format", "delta"];
    GENESYS
        .run(&sim, START, END, out.path(), &daily)
        .await
        .expect_code(0);
    GENESYS
        .run(
            &sim,
            "2026-11-20T06:00:00Z",
            "2026-11-20T08:00:00Z",
            out.path(),
            &[
                "--genesys-api",
                "query",
                "--slice",
                "1h",
                "--format",
                "delta",
            ],
        )
        .await
        .expect_code(0);
    let files_before = table_files(out.path(), "conversations").len();
    let dir = out.path().display().to_string();
    let kept = vacuum(&dir, "7d", &[]).await;
    assert_eq!(kept["deleted"].as_array().unwrap().len(), 0);
    assert!(kept["kept_in_retention"].as_u64().unwrap() > 0);
    assert!(kept["tables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "conversations"));
    let done = vacuum(&dir, "0", &[]).await;
    let live = latest(&py, out.path(), "conversations", "conversation_id")["files"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(
        table_files(out.path(), "conversations").len(),
        live,
        "only live files remain"
    );
    assert!(files_before > live);
    assert!(!done["deleted"].as_array().unwrap().is_empty());
    assert_truth(
        &latest(&py, out.path(), "conversations", "conversation_id"),
        &sim,
        "after vacuum",
    );
}

/// Killed after some tables of a slice committed, or after placing files
/// it never committed: no version ever shows a conversation twice, and the
/// same command again lands the truth; vacuum removes the orphans. The four
/// cases alternate over every store (local, S3, Azurite, fake GCS).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_publish_then_resumed() {
    let Some(py) = python() else { return };
    let sim = start(small_config(900)).await;
    let targets = Target::all().await;
    let points = ["committed:7", "renamed:12", "committed:3", "renamed:5"];
    for (i, point) in points.iter().enumerate() {
        // Alternate the store so each sees a crash; a fresh one per case.
        let target = targets[i % targets.len()].fresh().await;
        let ctx = format!("{} {point}", target.name());
        let args = [
            "--genesys-api",
            "query",
            "--slice",
            "6h",
            "--format",
            "delta",
            "--concurrency",
            "1",
        ];
        let mut env = target.env();
        env.push(("CXETL_FAILPOINT".to_string(), point.to_string()));
        GENESYS
            .run_to(&sim, START, END, &target.url(), &args, &env)
            .await
            .expect_code(137);
        let view = target.view().await;
        // Killed before the table's first commit, there is no table yet.
        let committed = view.join("conversations/_delta_log").exists();
        let crashed = match committed {
            true => read(&py, &view, "conversations", "conversation_id", &["all"]),
            false => Vec::new(),
        };
        for v in crashed {
            distinct_ids(&v, &format!("{ctx} v{}", v["version"]));
        }
        target
            .run(GENESYS, &sim, START, END, &args)
            .await
            .expect_code(0);
        let view = target.view().await;
        let versions = read(&py, &view, "conversations", "conversation_id", &["all"]);
        assert_truth(versions.last().unwrap(), &sim, &ctx);
        for v in &versions {
            distinct_ids(v, &format!("{ctx} v{}", v["version"]));
        }
        vacuum(&target.url(), "0", &target.env()).await;
        let live = versions.last().unwrap()["files"].as_u64().unwrap() as usize;
        let view = target.view().await;
        assert_eq!(
            table_files(&view, "conversations").len(),
            live,
            "{ctx}: orphans vacuumed"
        );
    }
}

/// A table whose protocol needs more than reader 1 / writer 2 is refused
/// before anything is committed (exit 6 naming the protocol).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_of_a_newer_protocol_is_refused() {
    let sim = start(small_config(200)).await;
    let out = tempfile::tempdir().unwrap();
    let log = out.path().join("conversations/_delta_log");
    std::fs::create_dir_all(&log).unwrap();
    std::fs::write(
        log.join("00000000000000000000.json"),
        concat!(
            r#"{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}"#,
            "\n",
            r#"{"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":["vendor","date"],"configuration":{},"createdTime":1}}"#,
            "\n"
        ),
    )
    .unwrap();
    let run = GENESYS
        .run(
            &sim,
            START,
            MIDDLE,
            out.path(),
            &["--genesys-api", "query", "--format", "delta"],
        )
        .await;
    run.expect_code(6);
    assert!(
        run.stderr.contains("requires protocol reader 3 / writer 7"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("deletionVectors"));
    assert_eq!(
        std::fs::read_dir(&log).unwrap().count(),
        1,
        "nothing committed"
    );
}

/// S3: commits are created only if absent on the S3 server (If-None-Match),
/// and vacuum works through the same store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_commits_are_put_if_absent_and_vacuum_deletes_there() {
    let Some(py) = python() else { return };
    let sim = start(small_config(300)).await;
    let s3 = S3Server::start().await;
    let target = Target::S3(s3);
    let args = ["--genesys-api", "query", "--format", "delta"];
    target
        .run(GENESYS, &sim, START, END, &args)
        .await
        .expect_code(0);
    target
        .run(GENESYS, &sim, START, END, &args)
        .await
        .expect_code(0);
    let dir = target.view().await;
    assert_truth(
        &latest(&py, &dir, "conversations", "conversation_id"),
        &sim,
        "s3",
    );
    let before = table_files(&dir, "conversations").len();
    vacuum(&target.url(), "0", &target.env()).await;
    let live = latest(&py, &dir, "conversations", "conversation_id")["files"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(before, 2 * live, "the re-run replaced every file");
    assert_eq!(
        table_files(&dir, "conversations").len(),
        live,
        "s3 vacuumed"
    );
    assert_truth(
        &latest(&py, &dir, "conversations", "conversation_id"),
        &sim,
        "s3 after vacuum",
    );
}

/// One output holds one format per table: a Parquet run into a Delta table
/// and a Delta run over Parquet files are refused before any request (exit 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_is_not_written_in_both_formats() {
    let sim = start(small_config(200)).await;
    let out = tempfile::tempdir().unwrap();
    let query = ["--genesys-api", "query"];
    GENESYS
        .run(&sim, START, MIDDLE, out.path(), &query)
        .await
        .expect_code(0);
    let run = GENESYS
        .run(
            &sim,
            MIDDLE,
            END,
            out.path(),
            &["--genesys-api", "query", "--format", "delta"],
        )
        .await;
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("holds Parquet-format files; run with --format parquet"),
        "{}",
        run.stderr
    );

    let delta = tempfile::tempdir().unwrap();
    GENESYS
        .run(
            &sim,
            START,
            MIDDLE,
            delta.path(),
            &["--genesys-api", "query", "--format", "delta"],
        )
        .await
        .expect_code(0);
    let run = GENESYS.run(&sim, MIDDLE, END, delta.path(), &query).await;
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("holds a Delta table; run with --format delta"),
        "{}",
        run.stderr
    );
}

/// Two runs of one vendor at once (other days, so no lease stops them) both
/// re-take today's directory snapshot: whichever commits second replaces the
/// first's files (its race lost, its removes re-planned), so every version
/// holds each agent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_snapshots_of_one_day_replace_each_other() {
    let Some(py) = python() else { return };
    let subject = Subject::Cxone;
    let sim = subject.sim(200).await;
    let out = tempfile::tempdir().unwrap();
    let args = [
        "--streams",
        "agents",
        "--format",
        "delta",
        "--snapshot-max-age",
        "0",
    ];
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            subject.run(&sim, START, MIDDLE, out.path(), &args),
            subject.run(&sim, MIDDLE, END, out.path(), &args),
        );
        a.expect_code(0);
        b.expect_code(0);
    }
    for table in ["cxone_agents", "agents"] {
        let versions = read(&py, out.path(), table, id_column(table), &["all"]);
        let first = versions[0]["rows"].as_u64().unwrap();
        assert!(first > 0);
        for v in &versions {
            assert_eq!(
                v["rows"].as_u64().unwrap(),
                first,
                "{table} v{}: one snapshot's rows",
                v["version"]
            );
            let got = ids(v);
            let distinct: BTreeSet<_> = got.iter().collect();
            assert_eq!(
                got.len(),
                distinct.len(),
                "{table} v{}: an agent twice",
                v["version"]
            );
        }
        assert_eq!(versions.len(), 6, "{table}: one version per run");
    }
}
