//! Scale-out: the shards `cxetl plan` prints, run as parallel processes
//! into one lake (every store of `Target::all`), equal one serial
//! run over the whole interval, every conversation exactly once.

use crate::common::store::{table_rows, Target};
use crate::common::*;
use cxetl::simulator::SimConfig;
use cxetl::Interval;

const START: &str = "2026-11-08";
const END: &str = "2026-11-20";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_shards_in_parallel_equal_one_serial_run_on_every_store() {
    let whole = Interval::parse(START, END).unwrap();
    let sim = start(SimConfig {
        interval: whole,
        ..Subject::Genesys.config(600)
    })
    .await;
    let serial = tempfile::tempdir().unwrap();
    Subject::Genesys
        .run(&sim, START, END, serial.path(), &[])
        .await
        .expect_code(0);
    let reference = table_rows(Subject::Genesys, serial.path());
    for target in Target::all().await {
        let (_, mut env) = Subject::Genesys.command(&sim, &[]);
        env.extend(target.env());
        let plan_args: Vec<String> = [
            "plan",
            "genesys",
            "--start",
            START,
            "--end",
            END,
            "--shards",
            "4",
            "--output",
            &target.url(),
            "--streams",
            "conversations",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let plan = cxetl_with_env(&plan_args, &env).await;
        plan.expect_code(0);
        let shards = plan.summary()["shards"].as_array().unwrap().clone();
        assert_eq!(shards.len(), 4);
        let running: Vec<_> = shards
            .iter()
            .map(|s| {
                let args: Vec<String> = s["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect();
                std::process::Command::new(BIN)
                    .args(&args)
                    .envs(env.iter().cloned())
                    .env("NO_COLOR", "1")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("cxetl starts")
            })
            .collect();
        for child in running {
            let done = tokio::task::spawn_blocking(move || child.wait_with_output())
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                done.status.code(),
                Some(0),
                "{}: {}",
                target.name(),
                String::from_utf8_lossy(&done.stderr)
            );
        }
        let dir = target.view().await;
        let truth = sim.ground_truth(&whole);
        let got = conversations(&dir);
        assert_eq!(
            (got.rows, got.ids.len()),
            (truth.count, truth.count),
            "{}: exactly once",
            target.name()
        );
        assert_eq!(got.ids, truth.ids, "{}", target.name());
        assert_eq!(
            table_rows(Subject::Genesys, &dir),
            reference,
            "{}: same rows as one serial run",
            target.name()
        );
        assert!(
            all_files(&dir.join("_leases")).is_empty(),
            "{}: leases released",
            target.name()
        );
    }
}
