//! SIGTERM mid-run (Airflow's timeout, a Kubernetes pod eviction): the run
//! stops promptly, releases its leases, leaves no staging behind, writes a
//! `failed` summary, exits 143, and the retry resumes to the full result.

use crate::common::*;
use cxetl::simulator::RequestKind;
use cxetl::Interval;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_releases_leases_writes_a_failed_summary_and_the_retry_completes() {
    let mut config = small_config(1200);
    // Slow pages keep the run busy long enough to be stopped in the middle.
    config.page_latency = Duration::from_millis(100);
    let sim = start(config).await;
    let out = tempfile::tempdir().unwrap();
    let (start_, end) = ("2026-11-20", "2026-11-22");
    let extra = [
        "--genesys-api",
        "query",
        "--slice",
        "6h",
        "--concurrency",
        "1",
    ];
    let output = out.path().display().to_string();
    let args: Vec<String> = ["--start", start_, "--end", end, "--output", &output]
        .iter()
        .chain(&extra)
        .map(|s| s.to_string())
        .collect();
    let (args, env) = Subject::Genesys.command(&sim, &args);

    let child = std::process::Command::new(BIN)
        .args(&args)
        .envs(env.iter().cloned())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("cxetl starts");
    // Stop it once it is extracting: a few data pages have been served.
    let deadline = Instant::now() + Duration::from_secs(60);
    while sim
        .request_log()
        .iter()
        .filter(|r| r.kind == RequestKind::Api)
        .count()
        < 4
    {
        assert!(Instant::now() < deadline, "the run never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let stopped_at = Instant::now();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "stderr:\n{stderr}");
    // Prompt: well under one slice's worth of pages (the slow pages alone take seconds).
    assert!(stopped_at.elapsed() < Duration::from_secs(10));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["status"], "failed");
    assert!(
        summary["error"]
            .as_str()
            .unwrap()
            .contains("terminated by signal"),
        "{summary}"
    );
    let stored = all_files(&out.path().join("_summaries"));
    assert_eq!(stored.len(), 1, "the failed summary is stored too");
    assert!(
        all_files(&out.path().join("_leases")).is_empty(),
        "leases released"
    );
    assert!(
        all_files(&out.path().join("_staging")).is_empty(),
        "staging removed"
    );

    // The retry (another pod, the same arguments) is not refused and completes.
    let retry = Subject::Genesys
        .run(&sim, start_, end, out.path(), &extra)
        .await;
    retry.expect_code(0);
    let truth = sim.ground_truth(&Interval::parse(start_, end).unwrap());
    let written = conversations(out.path());
    assert_eq!(written.rows, truth.count, "every conversation exactly once");
    assert_eq!(written.ids.len(), truth.count);
    assert_eq!(written.duration_ms_sum, truth.duration_ms_sum);
}
