//! Directory snapshot streams end to end: each equals the simulator's
//! directory (deleted and inactive entries included), every id the facts
//! reference joins a snapshot row, a second snapshot the same day replaces
//! the first, `--snapshot-max-age` skips a fresh one, and a stream refused
//! for a permission fails alone.

use crate::common::subject::{END, START};
use crate::common::*;
use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Int64Type};
use cxetl::simulator::{Faults, RequestKind, SimConfig};
use std::collections::BTreeSet;
use std::path::Path;

/// (stream, vendor table, id column, simulator directory, its id field).
fn directories(
    subject: Subject,
) -> &'static [(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)] {
    match subject {
        Subject::Genesys => &[
            ("users", "genesys_users", "id", "users", "id"),
            ("queues", "genesys_queues", "id", "queues", "id"),
            (
                "wrapup_codes",
                "genesys_wrapup_codes",
                "id",
                "wrapupcodes",
                "id",
            ),
            ("skills", "genesys_skills", "id", "skills", "id"),
            ("divisions", "genesys_divisions", "id", "divisions", "id"),
            (
                "presence_definitions",
                "genesys_presence_definitions",
                "id",
                "presencedefinitions",
                "id",
            ),
        ],
        Subject::Cxone => &[
            ("agents", "cxone_agents", "agent_id", "agents", "agentId"),
            ("teams", "cxone_teams", "team_id", "teams", "teamId"),
            ("skills", "cxone_skills", "skill_id", "skills", "skillId"),
            (
                "dispositions",
                "cxone_dispositions",
                "disposition_id",
                "dispositions",
                "dispositionId",
            ),
        ],
    }
}

/// The values of a utf8 or int64 column (lists: each element) as text.
fn ids(dir: &Path, table: &str, column: &str) -> Vec<String> {
    let mut out = Vec::new();
    for batch in read_table(dir, table) {
        let col = batch
            .column_by_name(column)
            .unwrap_or_else(|| panic!("{table}.{column}"));
        let mut push = |a: &dyn Array| match a.data_type() {
            DataType::Utf8 => {
                let s = a.as_string::<i32>();
                out.extend(
                    (0..s.len())
                        .filter(|&i| s.is_valid(i))
                        .map(|i| s.value(i).to_string()),
                )
            }
            DataType::Int64 => {
                let n = a.as_primitive::<Int64Type>();
                out.extend(
                    (0..n.len())
                        .filter(|&i| n.is_valid(i))
                        .map(|i| n.value(i).to_string()),
                )
            }
            other => panic!("{table}.{column}: {other}"),
        };
        match col.data_type() {
            DataType::List(_) => {
                let l = col.as_list::<i32>();
                for i in (0..l.len()).filter(|&i| l.is_valid(i)) {
                    push(l.value(i).as_ref());
                }
            }
            _ => push(col.as_ref()),
        }
    }
    out
}

fn streams_arg(subject: Subject) -> String {
    let mut names: Vec<&str> = vec![subject.record_stream()];
    names.extend(directories(subject).iter().map(|d| d.0));
    names.join(",")
}

for_each_subject!(
    snapshots_equal_the_directories_and_every_reference_joins,
    a_second_snapshot_the_same_day_replaces_the_first
);

async fn snapshots_equal_the_directories_and_every_reference_joins(subject: Subject) {
    let sim = subject.sim(600).await;
    let out = tempfile::tempdir().unwrap();
    let run = subject
        .run(
            &sim,
            START,
            END,
            out.path(),
            &["--streams", &streams_arg(subject)],
        )
        .await;
    run.expect_code(0);
    let summary = run.summary();
    for &(stream, table, column, directory, field) in directories(subject) {
        let truth: BTreeSet<String> = sim
            .directory(directory)
            .iter()
            .map(|e| match &e[field] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        assert!(!truth.is_empty(), "{directory}");
        let written = ids(out.path(), table, column);
        assert_eq!(
            written.len(),
            truth.len(),
            "{table}: one row per entry, no duplicate"
        );
        assert_eq!(
            written.into_iter().collect::<BTreeSet<_>>(),
            truth,
            "{table}"
        );
        assert_eq!(
            summary["streams"][stream]["status"], "succeeded",
            "{stream}"
        );
        assert_eq!(
            summary["streams"][stream]["rows"],
            truth.len() as u64,
            "{stream}"
        );
        for f in table_files(out.path(), table) {
            let partition = f
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            assert!(partition.starts_with("snapshot_date="), "{}", f.display());
        }
    }
    // Every reference of the facts joins a snapshot row (ININ-* literals are not codes).
    let agents: BTreeSet<String> = ids(out.path(), "agents", "agent_id").into_iter().collect();
    let queues: BTreeSet<String> = ids(out.path(), "queues", "queue_id").into_iter().collect();
    let referenced = |table: &str, column: &str| -> BTreeSet<String> {
        ids(out.path(), table, column)
            .into_iter()
            .filter(|v| !v.starts_with("ININ-") && v != "0")
            .collect()
    };
    let missing = |what: &str, refs: BTreeSet<String>, known: &BTreeSet<String>| {
        assert!(!refs.is_empty(), "{what}: the facts reference some");
        let absent: Vec<_> = refs.difference(known).collect();
        assert!(
            absent.is_empty(),
            "{what} without a snapshot row: {absent:?}"
        );
    };
    missing(
        "conversation agents",
        referenced("conversations", "agent_ids"),
        &agents,
    );
    missing(
        "conversation queues",
        referenced("conversations", "queue_id"),
        &queues,
    );
    match subject {
        Subject::Genesys => {
            let codes = ids(out.path(), "genesys_wrapup_codes", "id")
                .into_iter()
                .collect();
            missing(
                "wrap-up codes",
                referenced("genesys_segments", "wrap_up_code"),
                &codes,
            );
            let divisions = ids(out.path(), "genesys_divisions", "id")
                .into_iter()
                .collect();
            missing(
                "divisions",
                referenced("conversations", "division_ids"),
                &divisions,
            );
            let users = ids(out.path(), "genesys_users", "id").into_iter().collect();
            missing(
                "participant users",
                referenced("genesys_participants", "user_id"),
                &users,
            );
        }
        Subject::Cxone => {
            let d = ids(out.path(), "cxone_dispositions", "disposition_id")
                .into_iter()
                .collect();
            missing(
                "dispositions",
                referenced("cxone_contacts", "primary_disposition_id"),
                &d,
            );
            let teams = ids(out.path(), "cxone_teams", "team_id")
                .into_iter()
                .collect();
            missing("teams", referenced("cxone_contacts", "team_id"), &teams);
            let skills = ids(out.path(), "cxone_skills", "skill_id")
                .into_iter()
                .collect();
            missing("skills", referenced("cxone_contacts", "skill_id"), &skills);
        }
    }
}

async fn a_second_snapshot_the_same_day_replaces_the_first(subject: Subject) {
    let sim = subject.sim(50).await;
    let out = tempfile::tempdir().unwrap();
    let (stream, table, column, directory, _) = directories(subject)[0];
    let listings = || {
        sim.request_log()
            .iter()
            .filter(|r| {
                r.kind == RequestKind::Api
                    && !r.path.contains("analytics")
                    && !r.path.contains("contacts")
            })
            .count()
    };
    let once = subject
        .run(&sim, START, END, out.path(), &["--streams", stream])
        .await;
    once.expect_code(0);
    let after_first = listings();
    assert!(after_first > 0);
    // Younger than the default 6 h: not listed again.
    let skipped = subject
        .run(&sim, START, END, out.path(), &["--streams", stream])
        .await;
    skipped.expect_code(0);
    assert_eq!(skipped.summary()["streams"][stream]["status"], "skipped");
    assert_eq!(listings(), after_first, "a fresh snapshot costs no request");
    // Forced: listed again, and it replaces the day's snapshot.
    let again = subject
        .run(
            &sim,
            START,
            END,
            out.path(),
            &["--streams", stream, "--snapshot-max-age", "0"],
        )
        .await;
    again.expect_code(0);
    assert!(listings() > after_first);
    assert_eq!(
        table_files(out.path(), table).len(),
        1,
        "one snapshot per day"
    );
    assert_eq!(
        ids(out.path(), table, column).len(),
        sim.directory(directory).len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_refused_for_a_permission_fails_alone() {
    let sim = start(SimConfig {
        faults: Faults {
            forbidden: true,
            forbidden_only: vec!["routing/queues".into()],
            ..Faults::default()
        },
        ..Subject::Genesys.config(50)
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let run = Subject::Genesys
        .run(
            &sim,
            START,
            END,
            out.path(),
            &["--streams", "conversations,users,queues"],
        )
        .await;
    run.expect_code(4);
    let s = run.summary();
    assert_eq!(s["streams"]["conversations"]["status"], "succeeded");
    assert_eq!(s["streams"]["queues"]["status"], "failed");
    assert!(
        s["streams"]["queues"]["error"]
            .as_str()
            .unwrap()
            .contains("routing:queue:view"),
        "{s}"
    );
    assert_eq!(s["streams"]["users"]["status"], "succeeded");
    assert_eq!(
        ids(out.path(), "genesys_users", "id").len(),
        sim.directory("users").len()
    );
    assert!(run.stderr.contains("stream queues"), "{}", run.stderr);
    assert!(
        !table_files(out.path(), "conversations").is_empty(),
        "published"
    );
    assert!(table_files(out.path(), "genesys_queues").is_empty());
}
