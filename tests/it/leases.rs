//! Many processes racing for one dead run's lease: at most one holds it at
//! any time. Each run logs when it has taken its leases and when it starts
//! releasing them; those windows lie inside the true holding times, so two
//! overlapping windows would prove two publishers at once. On every store
//! of `Target::all`: the takeover rests on the store's create-if-absent.

use crate::common::store::Target;
use crate::common::subject::START;
use crate::common::*;
use cxetl::Interval;
use std::time::Duration;

/// The timestamp of the first stderr line containing `what`.
fn logged_at(stderr: &str, what: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let line = stderr.lines().find(|l| l.contains(what))?;
    cxetl::interval::parse_time(line.split_whitespace().next()?).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_racing_for_a_stale_lease_never_hold_it_together() {
    let mut config = Subject::Genesys.config(300);
    // Slow pages keep a winner holding its lease while the others try.
    config.page_latency = Duration::from_millis(40);
    let sim = start(config).await;
    for target in Target::all().await {
        match target.racy_create() {
            Some(why) => eprintln!("skipped: the lease race on {}: {why}", target.name()),
            None => race_for_a_stale_lease(&sim, &target).await,
        }
    }
}

async fn race_for_a_stale_lease(sim: &cxetl::simulator::Simulator, target: &Target) {
    let ctx = target.name();
    let dead = serde_json::json!({
        "run_id": "dead-run", "host": std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim(),
        "pid": u32::MAX - 1, "since": "2026-11-20T00:00:00Z", "interval": "[2026-11-20, 2026-11-21)",
    });
    let lease = "_leases/vendor=genesys/date=2026-11-20.json";
    target.put(lease, dead.to_string().into_bytes()).await;

    let output = target.url();
    let args: Vec<String> = [
        "--start",
        START,
        "--end",
        "2026-11-21",
        "--output",
        &output,
        "--genesys-api",
        "query",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (args, mut env) = Subject::Genesys.command(sim, &args);
    env.extend(target.env());
    let racers: Vec<_> = (0..6)
        .map(|_| {
            std::process::Command::new(BIN)
                .args(&args)
                .envs(env.iter().cloned())
                .env("NO_COLOR", "1")
                .env("RUST_LOG", "cxetl=info")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("cxetl starts")
        })
        .collect();
    let mut windows = Vec::new();
    for racer in racers {
        let done = tokio::task::spawn_blocking(move || racer.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
        match done.status.code() {
            Some(0) => {
                let taken = logged_at(&stderr, "leases taken").expect("logged");
                let released = logged_at(&stderr, "releasing leases").expect("logged");
                windows.push((taken, released));
            }
            Some(6) => assert!(stderr.contains("is writing"), "{ctx}: {stderr}"),
            other => panic!("{ctx}: exit {other:?}: {stderr}"),
        }
    }
    assert!(
        !windows.is_empty(),
        "{ctx}: someone took the dead run's lease over"
    );
    windows.sort();
    for pair in windows.windows(2) {
        assert!(
            pair[0].1 <= pair[1].0,
            "{ctx}: two runs held the lease at once: {pair:?}"
        );
    }
    // And the lake holds the day exactly once.
    Subject::Genesys.assert_matches_truth(
        &target.view().await,
        sim,
        &Interval::parse(START, "2026-11-21").unwrap(),
    );
    assert_eq!(target.count("_leases").await, 0, "{ctx}: released");
}
