//! Agent activity end to end: Genesys presence and routing-status periods
//! and CXone agent states equal the simulator's truth exactly once — across
//! both Genesys APIs, adjacent runs and re-sliced re-runs — and the unified
//! `agent_states` table holds every one of them.

use crate::common::subject::{END, MIDDLE, START};
use crate::common::*;
use arrow::array::{Array, AsArray};
use arrow::datatypes::{Int64Type, TimestampMicrosecondType};
use cxetl::Interval;
use std::collections::BTreeMap;
use std::path::Path;

/// `(agent, kind, start µs) → end µs` as read back from one of the tables.
type Periods = BTreeMap<(String, String, i64), Option<i64>>;

/// Periods of a table: `id` column (utf8 or int64), its start and end columns,
/// a fixed `kind` or a `kind` column; panics on a duplicate key.
fn read_periods(
    dir: &Path,
    table: &str,
    id: &str,
    start: &str,
    end: &str,
    kind: Option<&str>,
) -> Periods {
    let mut out = Periods::new();
    for b in read_table(dir, table) {
        let ids: Vec<String> = match b
            .column_by_name(id)
            .unwrap()
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
        {
            Some(s) => (0..s.len()).map(|i| s.value(i).to_string()).collect(),
            None => {
                let n = b.column_by_name(id).unwrap().as_primitive::<Int64Type>();
                (0..n.len()).map(|i| n.value(i).to_string()).collect()
            }
        };
        let starts = b
            .column_by_name(start)
            .unwrap()
            .as_primitive::<TimestampMicrosecondType>();
        let ends = b
            .column_by_name(end)
            .unwrap()
            .as_primitive::<TimestampMicrosecondType>();
        let kinds = b
            .column_by_name("kind")
            .map(|k| k.as_string::<i32>().clone());
        for (i, id) in ids.into_iter().enumerate() {
            let kind = kind
                .map(str::to_string)
                .unwrap_or_else(|| kinds.as_ref().unwrap().value(i).to_string());
            let key = (id, kind, starts.value(i));
            let end = ends.is_valid(i).then(|| ends.value(i));
            assert!(
                out.insert(key.clone(), end).is_none(),
                "{table}: {key:?} twice"
            );
        }
    }
    out
}

fn us(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

/// The simulator's truth for `[START, END)` in the same shape.
fn truth(sim: &cxetl::simulator::Simulator) -> Periods {
    let t = sim.activity(&Interval::parse(START, END).unwrap());
    let mut out = Periods::new();
    for p in &t.presence {
        out.insert(
            (p.user_id.clone(), "presence".into(), us(p.start)),
            p.end.map(us),
        );
    }
    for p in &t.routing {
        out.insert(
            (p.user_id.clone(), "routing".into(), us(p.start)),
            p.end.map(us),
        );
    }
    for s in &t.cxone_states {
        let end = us(s.start) + s.duration_ms * 1000;
        out.insert(
            (s.agent_id.to_string(), "state".into(), us(s.start)),
            Some(end),
        );
    }
    out
}

/// What the lake holds, from the vendor tables, checked against the unified one.
fn landed(subject: Subject, dir: &Path) -> Periods {
    let vendor = match subject {
        Subject::Genesys => {
            let mut p = read_periods(
                dir,
                "genesys_user_presence",
                "user_id",
                "started_at",
                "ended_at",
                Some("presence"),
            );
            p.extend(read_periods(
                dir,
                "genesys_user_routing_status",
                "user_id",
                "started_at",
                "ended_at",
                Some("routing"),
            ));
            p
        }
        Subject::Cxone => read_periods(
            dir,
            "cxone_agent_states",
            "agent_id",
            "start_date",
            "ended_at",
            Some("state"),
        ),
    };
    let unified = read_periods(
        dir,
        "agent_states",
        "agent_id",
        "started_at",
        "ended_at",
        None,
    );
    assert_eq!(
        unified, vendor,
        "agent_states holds exactly the vendor's periods"
    );
    vendor
}

fn activity_stream(subject: Subject) -> &'static str {
    match subject {
        Subject::Genesys => "user_activity",
        Subject::Cxone => "agent_states",
    }
}

for_each_subject!(periods_land_exactly_once_across_runs_and_reslicing);

async fn periods_land_exactly_once_across_runs_and_reslicing(subject: Subject) {
    let sim = subject.sim(200).await;
    let truth = truth(&sim);
    assert!(truth.len() > 100, "the simulator produced activity");
    assert!(
        truth.values().any(Option::is_none) || subject == Subject::Cxone,
        "some periods are open"
    );
    let stream = ["--streams", activity_stream(subject)];
    let out = tempfile::tempdir().unwrap();
    // Adjacent runs, then the whole interval again with 6-hour slices.
    subject
        .run(&sim, START, MIDDLE, out.path(), &stream)
        .await
        .expect_code(0);
    subject
        .run(&sim, MIDDLE, END, out.path(), &stream)
        .await
        .expect_code(0);
    assert_eq!(landed(subject, out.path()), truth, "adjacent runs");
    let resliced = [&stream[..], &["--slice", "6h"]].concat();
    let run = subject.run(&sim, START, END, out.path(), &resliced).await;
    run.expect_code(0);
    assert_eq!(landed(subject, out.path()), truth, "re-sliced re-run");
    assert_eq!(
        run.summary()["streams"][activity_stream(subject)]["status"],
        "succeeded"
    );
    if subject == Subject::Genesys {
        // The jobs path lands the same periods.
        let jobs = tempfile::tempdir().unwrap();
        let args = [&stream[..], &["--genesys-api", "jobs"]].concat();
        subject
            .run(&sim, START, END, jobs.path(), &args)
            .await
            .expect_code(0);
        assert_eq!(landed(subject, jobs.path()), truth, "jobs path");
    }
}
