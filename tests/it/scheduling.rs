//! Issue 6: scheduling conventions of `cxetl run` — `--lookback`,
//! `--dry-run`, Airflow-rendered timestamps — against the simulator.

use crate::common::*;
use cxetl::simulator::{RequestKind, SimConfig};
use cxetl::Interval;
use std::path::Path;

/// Four days of data, 2026-11-20 .. 2026-11-24.
fn four_days(conversations: usize) -> SimConfig {
    SimConfig {
        conversations,
        interval: Interval::parse("2026-11-20", "2026-11-24").unwrap(),
        ..SimConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookback_replaces_the_trailing_days_exactly_once() {
    let sim = start(four_days(1200)).await;
    let out = tempfile::tempdir().unwrap();
    let days = [
        "2026-11-20",
        "2026-11-21",
        "2026-11-22",
        "2026-11-23",
        "2026-11-24",
    ];
    for w in days.windows(2) {
        Subject::Genesys
            .run(&sim, w[0], w[1], out.path(), &["--genesys-api", "query"])
            .await
            .expect_code(0);
    }
    let files_before = table_files(out.path(), "conversations");
    // The last day again, looking back three days: [11-20, 11-24).
    let run = Subject::Genesys
        .run(
            &sim,
            "2026-11-23T00:00:00+00:00",
            "2026-11-24T00:00:00+00:00",
            out.path(),
            &["--genesys-api", "query", "--lookback", "3d"],
        )
        .await;
    run.expect_code(0);
    let s = run.summary();
    assert_eq!(s["interval"]["start"], "2026-11-20T00:00:00Z", "{s}");
    assert_eq!(s["interval"]["end"], "2026-11-24T00:00:00Z", "{s}");
    let widened = Interval::parse("2026-11-20", "2026-11-24").unwrap();
    let truth = sim.ground_truth(&widened);
    assert_eq!(
        s["conversations"], truth.count,
        "all four days re-extracted"
    );
    let got = conversations(out.path());
    assert_eq!(got.rows, truth.count, "each conversation exactly once");
    assert_eq!(got.ids, truth.ids);
    assert_eq!(got.duration_ms_sum, truth.duration_ms_sum);
    assert_eq!(
        table_files(out.path(), "conversations"),
        files_before,
        "the same daily files, replaced in place"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookback_from_the_config_file_and_bad_values_exit_2() {
    let sim = start(four_days(300)).await;
    let out = tempfile::tempdir().unwrap();
    let cfg = out.path().join("c.toml");
    std::fs::write(&cfg, "[run]\nlookback = \"1d\"\n").unwrap();
    let lake = out.path().join("lake");
    let run = Subject::Genesys
        .run(
            &sim,
            "2026-11-22",
            "2026-11-23",
            &lake,
            &["--config", cfg.to_str().unwrap(), "--dry-run"],
        )
        .await;
    run.expect_code(0);
    assert_eq!(run.summary()["interval"]["start"], "2026-11-21T00:00:00Z");
    let bad = Subject::Genesys
        .run(
            &sim,
            "2026-11-22",
            "2026-11-23",
            &lake,
            &["--lookback", "3y"],
        )
        .await;
    bad.expect_code(2);
    assert!(bad.stderr.contains("--lookback"), "{}", bad.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_plan_shows_lookback_and_the_genesys_api_mode() {
    let sim = start(four_days(300)).await;
    let out = tempfile::tempdir().unwrap();
    let run = Subject::Genesys
        .run(
            &sim,
            "2026-11-22T00:00:00+00:00",
            "2026-11-23T12:00:00+00:00",
            out.path(),
            &["--dry-run", "--slice", "12h", "--lookback", "1d"],
        )
        .await;
    run.expect_code(0);
    let s = run.summary();
    assert_eq!(s["dry_run"], true);
    assert_eq!(s["vendor"], "genesys");
    assert_eq!(s["interval"]["start"], "2026-11-21T00:00:00Z");
    assert_eq!(s["interval"]["end"], "2026-11-23T12:00:00Z");
    let slices = s["slices"].as_array().unwrap();
    assert_eq!(slices.len(), 5, "{s}");
    assert_eq!(slices[0]["start"], "2026-11-21T00:00:00Z");
    assert_eq!(slices[0]["end"], "2026-11-21T12:00:00Z");
    assert!(slices.iter().all(|x| x["mode"] == "auto"));
    let files = slices[4]["files"].as_array().unwrap();
    assert_eq!(files.len(), 5, "one file per Genesys table");
    assert_eq!(
        files[0],
        format!(
            "{}/conversations/vendor=genesys/date=2026-11-23/20261123T000000Z_20261123T120000Z.parquet",
            out.path().display()
        )
    );
    assert!(
        run.stderr.contains("auto (decided at run time)"),
        "{}",
        run.stderr
    );
    assert!(all_files(out.path()).is_empty(), "a dry run writes nothing");
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
    assert!(sim.request_log().is_empty(), "no request, not even a token");

    let query = Subject::Genesys
        .run(
            &sim,
            "2026-11-22",
            "2026-11-23",
            out.path(),
            &["--dry-run", "--genesys-api", "query"],
        )
        .await;
    query.expect_code(0);
    assert_eq!(query.summary()["slices"][0]["mode"], "query");
    assert!(sim.request_log().is_empty());
}

for_each_subject!(dry_run);

/// `--dry-run` lists every slice with one file per table of the vendor,
/// sends no request (not even for a token) and writes nothing.
async fn dry_run(subject: Subject) {
    let sim = subject.sim(300).await;
    let out = tempfile::tempdir().unwrap();
    let run = subject
        .run(
            &sim,
            "2026-11-21",
            "2026-11-22T12:00:00Z",
            out.path(),
            &["--dry-run", "--slice", "12h"],
        )
        .await;
    run.expect_code(0);
    let s = run.summary();
    let v = subject.name();
    assert_eq!(s["dry_run"], true);
    assert_eq!(s["vendor"], v);
    let slices = s["slices"].as_array().unwrap();
    assert_eq!(slices.len(), 3, "{s}");
    for slice in slices {
        let files = slice["files"].as_array().unwrap();
        let tables = subject.tables();
        assert_eq!(files.len(), tables.len(), "one file per table: {slice}");
        for t in tables {
            let folder = format!("/{}/vendor={v}/date=", t.name());
            assert!(
                files.iter().any(|f| f.as_str().unwrap().contains(&folder)),
                "{folder} missing from {slice}"
            );
        }
    }
    assert_eq!(
        slices[2]["files"][0],
        format!(
            "{}/conversations/vendor={v}/date=2026-11-22/20261122T000000Z_20261122T120000Z.parquet",
            out.path().display()
        )
    );
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
    assert!(sim.request_log().is_empty(), "no request, not even a token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_still_validates_settings() {
    let sim = Subject::Cxone.sim(10).await;
    let out = tempfile::tempdir().unwrap();
    let mut env = Subject::Cxone.env(&sim);
    env.retain(|(k, _)| k != "CXONE_ACCESS_KEY_ID");
    let args: Vec<String> = [
        "run",
        "cxone",
        "--start",
        "2026-11-22",
        "--end",
        "2026-11-23",
    ]
    .iter()
    .chain(&["--dry-run", "--output"])
    .map(|s| s.to_string())
    .chain([out.path().display().to_string()])
    .collect();
    // A missing credential exits 2 even when nothing would be sent.
    let missing = cxetl_with_env(&args, &env).await;
    missing.expect_code(2);
    assert!(missing.stderr.contains("CXONE_ACCESS_KEY_ID"));
    assert!(sim.request_log().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn airflow_rendered_offsets_work_and_malformed_times_exit_2() {
    let sim = start(four_days(400)).await;
    let out = tempfile::tempdir().unwrap();
    // Airflow renders {{ data_interval_start }} like this; +02:00 is the same instant shifted.
    let run = Subject::Genesys
        .run(
            &sim,
            "2026-11-21T00:00:00+00:00",
            "2026-11-22T02:00:00+02:00",
            out.path(),
            &["--genesys-api", "query"],
        )
        .await;
    run.expect_code(0);
    let s = run.summary();
    assert_eq!(s["interval"]["start"], "2026-11-21T00:00:00Z");
    assert_eq!(s["interval"]["end"], "2026-11-22T00:00:00Z");
    let day = Interval::parse("2026-11-21", "2026-11-22").unwrap();
    assert_eq!(conversations(out.path()).ids, sim.ground_truth(&day).ids);

    let requests = sim.request_log().len();
    for bad in [
        "21/11/2026",
        "2026-11-21 00:00",
        "{{ data_interval_start }}",
    ] {
        let run = Subject::Genesys
            .run(&sim, bad, "2026-11-22", out.path(), &[])
            .await;
        run.expect_code(2);
        assert!(
            run.stderr.contains("2026-11-23T00:00:00Z"),
            "an example of the right form: {}",
            run.stderr
        );
    }
    assert_eq!(
        sim.request_log().len(),
        requests,
        "usage errors make no request"
    );
    assert!(sim
        .request_log()
        .iter()
        .all(|r| r.kind == RequestKind::Token || r.path.ends_with("/details/query")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn piped_run_shows_no_progress_line_and_ends_with_the_summary() {
    let sim = start(four_days(300)).await;
    let out = tempfile::tempdir().unwrap();
    // NO_COLOR is set by the helper too; stderr is a pipe either way.
    let run = Subject::Genesys
        .run(&sim, "2026-11-20", "2026-11-22", out.path(), &[])
        .await;
    run.expect_code(0);
    assert!(!run.stderr.contains('\r'), "no redrawn status line");
    assert!(!run.stderr.contains("conv/s"), "no status line");
    assert!(!run.stdout.contains("conv/s"));
    assert_eq!(run.summary()["status"], "succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_run_shows_the_progress_line() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("util-linux `script` is not installed; cannot give the run a terminal");
        return;
    }
    let sim = start(cxetl::simulator::SimConfig {
        page_latency: std::time::Duration::from_millis(100),
        ..four_days(300)
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let args = ["--start", "2026-11-20", "--end", "2026-11-22", "--output"]
        .iter()
        .map(|s| s.to_string())
        .chain([out.path().display().to_string()])
        .chain(["--genesys-api".to_string(), "query".to_string()])
        .collect::<Vec<_>>();
    let (args, env) = Subject::Genesys.command(&sim, &args);
    // `script` runs the command on a pseudo-terminal, as a person's shell would.
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let command = std::iter::once("env".to_string())
        .chain(env.iter().map(|(k, v)| quote(&format!("{k}={v}"))))
        .chain(std::iter::once(quote(BIN)))
        .chain(args.iter().map(|a| quote(a)))
        .collect::<Vec<_>>()
        .join(" ");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("NO_COLOR")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(
        screen.contains("conv/s"),
        "no status line on a terminal:\n{screen}"
    );
    assert!(screen.contains('\r'), "the status line is redrawn in place");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_select_by_name_and_an_unknown_name_exits_2_listing_the_valid_ones() {
    let sim = start(four_days(300)).await;
    let out = tempfile::tempdir().unwrap();
    let (start_, end) = ("2026-11-22", "2026-11-23");
    let bad = Subject::Genesys
        .run(&sim, start_, end, out.path(), &["--streams", "calls"])
        .await;
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("\"calls\"") && bad.stderr.contains("conversations"),
        "{}",
        bad.stderr
    );
    assert!(sim.request_log().is_empty(), "refused before any request");

    let ok = Subject::Genesys
        .run(
            &sim,
            start_,
            end,
            out.path(),
            &["--streams", "conversations"],
        )
        .await;
    ok.expect_code(0);
    let s = ok.summary();
    let truth = sim.ground_truth(&Interval::parse(start_, end).unwrap());
    assert_eq!(s["streams"]["conversations"]["status"], "succeeded");
    assert_eq!(s["streams"]["conversations"]["rows"], truth.count as u64);
    assert_eq!(s["conversations"], truth.count as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_intervals_exit_2_with_the_fix_before_any_request_or_lease() {
    let sim = start(four_days(10)).await;
    let out = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &[&str], &str); 5] = [
        ("0026-11-23", "2026-11-24", &[], "before 2000"),
        ("0001-01-01", "9999-12-31", &["--dry-run"], "before 2000"),
        ("2026-11-23", "9999-12-31", &["--dry-run"], "in the future"),
        ("2020-01-01", "2026-11-24", &["--dry-run"], "--max-interval"),
        (
            "2026-01-01",
            "2026-11-24",
            &["--dry-run", "--slice", "1s"],
            "longer --slice",
        ),
    ];
    for (start_, end, extra, fix) in cases {
        let run = Subject::Genesys
            .run(&sim, start_, end, out.path(), extra)
            .await;
        run.expect_code(2);
        assert!(run.stderr.contains(fix), "{start_}..{end}: {}", run.stderr);
    }
    assert!(all_files(out.path()).is_empty(), "no lease, no file");
    assert!(sim.request_log().is_empty(), "no request");
    // The limit is a setting: a longer backfill is allowed when asked for.
    let long = Subject::Genesys
        .run(
            &sim,
            "2020-01-01",
            "2026-11-24",
            out.path(),
            &["--dry-run", "--max-interval", "3000d"],
        )
        .await;
    long.expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_file_holds_the_summary_line_on_success_and_on_failure() {
    let sim = start(four_days(100)).await;
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("xcom/return.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let path = file.to_str().unwrap();
    let ok = Subject::Genesys
        .run(
            &sim,
            "2026-11-22",
            "2026-11-23",
            &out.path().join("lake"),
            &["--summary-file", path],
        )
        .await;
    ok.expect_code(0);
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(stored, ok.summary());
    assert_eq!(stored["status"], "succeeded");
    // A failed run (more bad records than allowed) leaves its failed summary there too.
    let bad_sim = start(SimConfig {
        bad_records: 3,
        ..four_days(100)
    })
    .await;
    let failed = Subject::Genesys
        .run(
            &bad_sim,
            "2026-11-20",
            "2026-11-24",
            &out.path().join("lake2"),
            &["--summary-file", path, "--max-bad-records", "0"],
        )
        .await;
    failed.expect_code(7);
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(stored["status"], "failed");
    assert_eq!(stored, failed.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planned_shards_run_into_one_lake_exactly_once() {
    let sim = start(four_days(400)).await;
    let out = tempfile::tempdir().unwrap();
    let lake = out.path().join("lake").display().to_string();
    let (args, env) = Subject::Genesys.command(&sim, &[]);
    assert_eq!(args[..2], ["run", "genesys"]);
    let plan_args: Vec<String> = [
        "plan",
        "genesys",
        "--start",
        "2026-11-20",
        "--end",
        "2026-11-24",
        "--shards",
        "3",
        "--total-rate-per-minute",
        "900",
        "--output",
        &lake,
        "--streams",
        "conversations,users,queues",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let plan = cxetl_with_env(&plan_args, &env).await;
    plan.expect_code(0);
    assert!(
        !plan.stdout.contains(&sim.config().client_secret),
        "no secret in the plan"
    );
    let shards = plan.summary()["shards"].as_array().unwrap().clone();
    assert_eq!(shards.len(), 3);
    assert_eq!(shards[0]["start"], "2026-11-20T00:00:00Z");
    assert_eq!(shards[2]["end"], "2026-11-24T00:00:00Z");
    let rates: u64 = shards
        .iter()
        .map(|s| s["rate_per_minute"].as_u64().unwrap())
        .sum();
    assert!(rates <= 900);
    assert_eq!(
        shards[0]["streams"],
        serde_json::json!(["conversations", "users", "queues"])
    );
    assert_eq!(shards[1]["streams"], serde_json::json!(["conversations"]));
    // Run every shard exactly as planned (an orchestrator would run them in parallel).
    for shard in &shards {
        let args: Vec<String> = shard["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        cxetl_with_env(&args, &env).await.expect_code(0);
    }
    let whole = Interval::parse("2026-11-20", "2026-11-24").unwrap();
    Subject::Genesys.assert_matches_truth(Path::new(&lake), &sim, &whole);
    assert_eq!(
        table_files(Path::new(&lake), "genesys_users").len(),
        1,
        "directories listed once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_a_gap_until_the_missing_day_is_loaded_again() {
    let sim = start(four_days(300)).await;
    let out = tempfile::tempdir().unwrap();
    let lake = out.path().join("lake");
    let days = ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"];
    for pair in days.windows(2) {
        Subject::Genesys
            .run(&sim, pair[0], pair[1], &lake, &[])
            .await
            .expect_code(0);
    }
    let status = || async {
        let args: Vec<String> = [
            "status",
            "--output",
            lake.to_str().unwrap(),
            "--start",
            days[0],
            "--end",
            days[3],
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let run = cxetl_with_env(&args, &[]).await;
        run.expect_code(0);
        let report = run.summary();
        report["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stream"] == "conversations")
            .cloned()
            .expect("conversations reported")
    };
    let full = status().await;
    assert_eq!(full["gaps"], serde_json::json!([]));
    let truth = sim.ground_truth(&Interval::parse(days[1], days[2]).unwrap());
    assert_eq!(
        full["days"][days[1]]["rows"], truth.count as u64,
        "rows per day from the summaries"
    );
    // Lose the middle day: its summary and its data.
    std::fs::remove_file(
        lake.join("_summaries/vendor=genesys/20261121T000000Z_20261122T000000Z.json"),
    )
    .unwrap();
    std::fs::remove_dir_all(lake.join("conversations/vendor=genesys/date=2026-11-21")).unwrap();
    let gap = status().await;
    assert_eq!(gap["gaps"], serde_json::json!([days[1]]));
    assert_eq!(gap["days"][days[1]]["loaded"], false);
    Subject::Genesys
        .run(&sim, days[1], days[2], &lake, &[])
        .await
        .expect_code(0);
    assert_eq!(
        status().await["gaps"],
        serde_json::json!([]),
        "nothing missing after the re-run"
    );
}
