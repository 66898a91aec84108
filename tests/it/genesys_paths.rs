//! Genesys only: its two analytics paths, the asynchronous jobs (overlap
//! semantics, job cleanup) and the synchronous query (whole-UTC-day
//! semantics), each end at the simulator's truth.

use crate::common::subject::{whole, END, START};
use crate::common::*;
use cxetl::simulator::RequestKind;

const GENESYS: Subject = Subject::Genesys;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_path_matches_ground_truth() {
    let sim = GENESYS.sim(1500).await;
    let out = tempfile::tempdir().unwrap();
    let run = Subject::Genesys
        .run(&sim, START, END, out.path(), &["--genesys-api", "jobs"])
        .await;
    run.expect_code(0);
    GENESYS.assert_matches_truth(out.path(), &sim, &whole());
    let s = run.summary();
    assert_eq!(s["status"], "succeeded");
    assert_eq!(s["conversations"], sim.ground_truth(&whole()).count);
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
    let sim = GENESYS.sim(1500).await;
    let out = tempfile::tempdir().unwrap();
    // 6 h slices: the query returns whole UTC days, so most of each page is
    // someone else's; ownership keeps each conversation in exactly one slice.
    let run = Subject::Genesys
        .run(
            &sim,
            START,
            END,
            out.path(),
            &["--genesys-api", "query", "--slice", "6h"],
        )
        .await;
    run.expect_code(0);
    GENESYS.assert_matches_truth(out.path(), &sim, &whole());
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
