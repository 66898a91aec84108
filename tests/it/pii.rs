//! The personal-data policy end to end: every stream of a vendor extracted
//! three times from the same simulator (keep, hash, drop). The keep lake
//! holds the originals; the other two must not hold any of them in any
//! value of any table, any byte of `_quarantine/` or `_summaries/`, or the
//! logs, and hashes must equal HMAC-SHA256(key, original) computed here with
//! another implementation than cxetl's.

use crate::common::subject::{END, START};
use crate::common::{all_files, read_file, Run, Subject};
use arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use cxetl::transform::Table;
use hmac::{Hmac, KeyInit, Mac};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const KEY: &str = "test-pii-key: not a real secret";

fn streams(subject: Subject) -> &'static str {
    match subject {
        Subject::Genesys => {
            "conversations,user_activity,users,queues,wrapup_codes,skills,divisions,presence_definitions"
        }
        Subject::Cxone => "contacts,agent_states,agents,teams,skills,dispositions",
    }
}

fn hmac_hex(value: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(value.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every text value of `col`, lists, maps and structs flattened; map keys
/// only `with_keys` (attribute names are not personal data and stay).
fn texts_of(col: &ArrayRef, with_keys: bool, out: &mut Vec<String>) {
    match col.data_type() {
        DataType::Utf8 => out.extend(col.as_string::<i32>().iter().flatten().map(String::from)),
        DataType::List(_) => texts_of(col.as_list::<i32>().values(), with_keys, out),
        DataType::Map(..) => {
            let m = col.as_map();
            if with_keys {
                texts_of(m.keys(), with_keys, out);
            }
            texts_of(m.values(), with_keys, out);
        }
        DataType::Struct(_) => col
            .as_struct()
            .columns()
            .iter()
            .for_each(|c| texts_of(c, with_keys, out)),
        _ => {}
    }
}

fn texts(col: &ArrayRef, out: &mut Vec<String>) {
    texts_of(col, true, out)
}

/// Per table file path relative to the lake: its batches.
fn parquet_files(dir: &Path) -> BTreeMap<String, (Table, Vec<RecordBatch>)> {
    all_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            let table = Table::named(rel.split('/').next().unwrap());
            (rel, (table, read_file(&p)))
        })
        .collect()
}

/// (values of personal-data columns, values of all other text columns).
fn values(dir: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut personal, mut other) = (Vec::new(), Vec::new());
    for (table, batches) in parquet_files(dir).into_values() {
        for b in batches {
            for (i, def) in table.columns().iter().enumerate() {
                if def.pii_class().is_some() {
                    texts_of(b.column(i), false, &mut personal);
                } else {
                    texts(b.column(i), &mut other);
                }
            }
        }
    }
    (personal.into_iter().collect(), other.into_iter().collect())
}

/// `cxetl run` over the whole simulated interval into `out`, with the test's key.
async fn run_args(
    subject: Subject,
    sim: &cxetl::simulator::Simulator,
    out: &Path,
    args: &[&str],
) -> Run {
    let env = [("CXETL_PII_KEY".to_string(), KEY.to_string())];
    let out = out.display().to_string();
    subject.run_to(sim, START, END, &out, args, &env).await
}

async fn run(subject: Subject, sim: &cxetl::simulator::Simulator, out: &Path, pii: &str) -> Run {
    let mut args = vec!["--streams", streams(subject), "--pii", pii];
    args.extend(subject.bulk());
    run_args(subject, sim, out, &args).await
}

for_each_subject!(hash_and_drop_leave_no_original_in_any_output);

async fn hash_and_drop_leave_no_original_in_any_output(subject: Subject) {
    let mut config = subject.config(400);
    config.bad_records = 6;
    let sim = crate::common::start(config).await;
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let keep = run(subject, &sim, dirs[0].path(), "keep").await;
    keep.expect_code(0);
    assert!(
        keep.summary()["quarantined"].as_u64().unwrap() >= 1,
        "bad records were planted"
    );

    // The originals: personal values that no other column also holds (a
    // queue's name is also a participant's name, and is no secret; so is
    // "Customer", inside the queue name "Customer Care").
    let (personal, other) = values(dirs[0].path());
    let originals: BTreeSet<&String> = personal
        .iter()
        .filter(|v| v.chars().count() >= 4 && !other.iter().any(|o| o.contains(v.as_str())))
        .collect();
    assert!(originals.iter().any(|v| v.contains('@')), "emails planted");
    assert!(
        originals
            .iter()
            .any(|v| v.chars().filter(char::is_ascii_digit).count() >= 7),
        "phone numbers planted"
    );
    assert!(originals.len() > 50, "{} originals", originals.len());
    // The bad records carry personal data too, so the quarantine check bites.
    let quarantined: String = all_files(dirs[0].path())
        .iter()
        .filter(|f| f.display().to_string().contains("_quarantine"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(
        originals.iter().any(|o| quarantined.contains(o.as_str())),
        "no original in the kept quarantine"
    );

    for (dir, pii) in [(dirs[1].path(), "hash"), (dirs[2].path(), "drop")] {
        let run = run(subject, &sim, dir, pii).await;
        run.expect_code(0);
        let summary = run.summary();
        assert_eq!(summary["pii"]["default"], pii);
        let fingerprint = summary["pii"]["fingerprint"].as_str().unwrap().to_string();
        assert_eq!(fingerprint.len(), 64);
        assert_ne!(
            fingerprint,
            keep.summary()["pii"]["fingerprint"].as_str().unwrap()
        );
        assert_eq!(summary["quarantined"], keep.summary()["quarantined"]);
        assert_eq!(
            summary["tables"],
            keep.summary()["tables"],
            "{pii}: no row lost"
        );

        let (redacted, rest) = values(dir);
        for v in redacted.iter().chain(&rest) {
            for o in &originals {
                assert!(!v.contains(o.as_str()), "{pii}: {o:?} is in a value {v:?}");
            }
        }
        let mut quarantine_files = 0;
        for file in all_files(dir) {
            if file.extension().is_some_and(|e| e == "parquet") {
                let meta = parquet_metadata(&file);
                assert_eq!(
                    meta.as_deref(),
                    Some(fingerprint.as_str()),
                    "{}",
                    file.display()
                );
                continue;
            }
            quarantine_files += usize::from(file.display().to_string().contains("_quarantine"));
            let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            assert!(!text.contains(KEY), "the key in {}", file.display());
            for o in &originals {
                assert!(
                    !text.contains(o.as_str()),
                    "{pii}: {o:?} in {}",
                    file.display()
                );
            }
        }
        assert!(quarantine_files >= 1, "{pii}: quarantine written");
        assert!(
            !run.stdout.contains(KEY) && !run.stderr.contains(KEY),
            "the key logged"
        );
        for o in &originals {
            assert!(
                !run.stdout.contains(o.as_str()) && !run.stderr.contains(o.as_str()),
                "{pii}: {o:?} logged"
            );
        }
        if pii == "hash" {
            assert_hashes(dirs[0].path(), dir);
            // Hashed columns still join: the unified agents' emails are the
            // vendor directory's, hashed the same way.
            let (table, column) = match subject {
                Subject::Genesys => ("genesys_users", "email"),
                Subject::Cxone => ("cxone_agents", "email_address"),
            };
            let emails = column_values(dir, "agents", "email");
            assert!(!emails.is_empty());
            assert_eq!(emails, column_values(dir, table, column));
        } else {
            assert!(
                redacted.is_empty(),
                "drop writes null: {:?}",
                redacted.iter().take(3).collect::<Vec<_>>()
            );
        }
    }
}

fn column_values(dir: &Path, table: &str, column: &str) -> BTreeSet<String> {
    let mut out = Vec::new();
    for b in crate::common::read_table(dir, table) {
        texts(b.column_by_name(column).unwrap(), &mut out);
    }
    out.into_iter().collect()
}

fn parquet_metadata(file: &Path) -> Option<String> {
    let f = std::fs::File::open(file).unwrap();
    let r = parquet::file::reader::SerializedFileReader::new(f).unwrap();
    use parquet::file::reader::FileReader;
    r.metadata()
        .file_metadata()
        .key_value_metadata()?
        .iter()
        .find(|kv| kv.key == "cxetl.pii")?
        .value
        .clone()
}

/// A cell as text (timestamps as microseconds: arrow's display needs
/// chrono-tz for a "UTC" zone).
fn cell(col: &ArrayRef, row: usize) -> String {
    match col.data_type() {
        DataType::Timestamp(..) if col.is_valid(row) => col
            .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
            .value(row)
            .to_string(),
        // Nested values holding timestamps are not compared.
        _ => arrow::util::display::array_value_to_string(col, row)
            .unwrap_or_else(|_| "<nested>".into()),
    }
}

/// Row by row (matched on the natural key), each personal value of the hash
/// lake is HMAC-SHA256(key, the keep lake's value); every other column is equal.
fn assert_hashes(keep: &Path, hashed: &Path) {
    let key_of = |table: Table, b: &RecordBatch, row: usize| -> String {
        table
            .natural_key()
            .iter()
            .map(|k| cell(b.column_by_name(k).unwrap(), row))
            .collect::<Vec<_>>()
            .join("|")
    };
    let rows = |dir: &Path| -> BTreeMap<(String, String), Vec<String>> {
        let mut out = BTreeMap::new();
        for (table, batches) in parquet_files(dir).into_values() {
            for b in batches {
                for row in 0..b.num_rows() {
                    let cells = (0..b.num_columns())
                        .map(|i| cell(b.column(i), row))
                        .collect();
                    out.insert((table.name().to_string(), key_of(table, &b, row)), cells);
                }
            }
        }
        out
    };
    let (before, after) = (rows(keep), rows(hashed));
    assert_eq!(before.len(), after.len());
    let mut checked = 0;
    for ((table, key), cells) in &before {
        let table_ref = Table::named(table);
        let hashed_cells = &after[&(table.clone(), key.clone())];
        for (i, def) in table_ref.columns().iter().enumerate() {
            let col_type = table_ref.schema().field(i).data_type().clone();
            match (def.pii_class().is_some(), &col_type) {
                (true, DataType::Utf8) if !cells[i].is_empty() => {
                    assert_eq!(hashed_cells[i], hmac_hex(&cells[i]), "{table}.{}", def.name);
                    checked += 1;
                }
                (true, _) => {}
                (false, _) => {
                    assert_eq!(hashed_cells[i], cells[i], "{table}.{} unchanged", def.name)
                }
            }
        }
    }
    assert!(checked > 100, "{checked} hashed values checked");
}

/// A re-run of part of a day under another policy re-extracts the whole
/// day, so the day's partitions hold one policy; the other days keep theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_change_replaces_the_partitions_whole() {
    use crate::common::subject::MIDDLE;
    let subject = Subject::Genesys;
    let sim = subject.sim(300).await;
    let out = tempfile::tempdir().unwrap();
    let env = [("CXETL_PII_KEY".to_string(), KEY.to_string())];
    let daily = subject
        .run_to(
            &sim,
            START,
            END,
            &out.path().display().to_string(),
            &[],
            &env,
        )
        .await;
    daily.expect_code(0);
    let keep_fp = daily.summary()["pii"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let (ids_before, rows_before) = subject.record_ids(out.path());

    let hour_start = format!("{START}T06:00:00Z");
    let hour_end = format!("{START}T07:00:00Z");
    let hourly = subject
        .run_to(
            &sim,
            &hour_start,
            &hour_end,
            &out.path().display().to_string(),
            &["--pii", "hash", "--slice", "1h"],
            &env,
        )
        .await;
    hourly.expect_code(0);
    let summary = hourly.summary();
    assert!(
        hourly.stderr.contains("another personal-data policy"),
        "{}",
        hourly.stderr
    );
    assert_eq!(summary["interval"]["start"], format!("{START}T00:00:00Z"));
    assert_eq!(summary["interval"]["end"], format!("{MIDDLE}T00:00:00Z"));
    let hash_fp = summary["pii"]["fingerprint"].as_str().unwrap().to_string();
    let mut seen = BTreeSet::new();
    for file in all_files(out.path())
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
    {
        let path = file.display().to_string();
        let want = if path.contains(&format!("date={START}")) {
            &hash_fp
        } else {
            &keep_fp
        };
        assert_eq!(parquet_metadata(file).as_ref(), Some(want), "{path}");
        seen.insert(want == &hash_fp);
    }
    assert_eq!(seen.len(), 2, "both policies present, each in its own days");
    // Still every conversation exactly once.
    let (ids_after, rows_after) = subject.record_ids(out.path());
    assert_eq!((ids_after, rows_after), (ids_before, rows_before));
}

/// `[pii.columns]` overrides win over the default (`last4` keeps exactly
/// four characters), and mistakes stop the run before any request, with exit
/// 2 naming the fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_overrides_apply_and_mistakes_exit_2() {
    let subject = Subject::Genesys;
    let sim = subject.sim(200).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cxetl.toml");
    std::fs::write(
        &config,
        "[pii]\ndefault = \"drop\"\n[pii.columns]\n\"genesys_sessions.ani\" = \"last4\"\n\"genesys_sessions.dnis\" = \"keep\"\n",
    )
    .unwrap();
    let out = dir.path().join("lake");
    let config_arg = config.display().to_string();
    let run = run_args(subject, &sim, &out, &["--config", &config_arg]).await;
    run.expect_code(0);
    assert_eq!(run.summary()["pii"]["default"], "drop");
    let (ani, dnis, names) = (
        column_values(&out, "genesys_sessions", "ani"),
        column_values(&out, "genesys_sessions", "dnis"),
        column_values(&out, "genesys_participants", "participant_name"),
    );
    assert!(
        !ani.is_empty() && !dnis.is_empty(),
        "last4 and keep write values"
    );
    for v in &ani {
        let masked = v.chars().take_while(|c| *c == '*').count();
        assert_eq!(v.chars().count() - masked, 4, "{v}");
        assert!(masked > 0, "{v}");
    }
    assert!(dnis.iter().all(|v| !v.contains('*')), "dnis kept");
    assert!(names.is_empty(), "the default drops the rest");

    let before = sim.request_log().len();
    let url = out.display().to_string();
    let no_key = subject
        .run_to(&sim, START, END, &url, &["--pii", "hash"], &[])
        .await;
    no_key.expect_code(2);
    assert!(no_key.stderr.contains("CXETL_PII_KEY"), "{}", no_key.stderr);
    std::fs::write(
        &config,
        "[pii.columns]\n\"genesys_sessions.phone\" = \"hash\"\n",
    )
    .unwrap();
    let typo = run_args(subject, &sim, &out, &["--config", &config_arg]).await;
    typo.expect_code(2);
    assert!(
        typo.stderr.contains("genesys_sessions.ani"),
        "lists the classified columns: {}",
        typo.stderr
    );
    assert_eq!(
        sim.request_log().len(),
        before,
        "no request before the settings are right"
    );
}

/// Today's snapshot, however recent, is taken again under a new policy;
/// under the same policy it is skipped as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recent_snapshot_under_another_policy_is_taken_again() {
    let subject = Subject::Genesys;
    let sim = subject.sim(50).await;
    let out = tempfile::tempdir().unwrap();
    let status = |run: &Run| run.summary()["streams"]["users"]["status"].clone();
    let first = run_args(subject, &sim, out.path(), &["--streams", "users"]).await;
    first.expect_code(0);
    let hashed = ["--streams", "users", "--pii", "hash"];
    let second = run_args(subject, &sim, out.path(), &hashed).await;
    second.expect_code(0);
    assert_eq!(
        status(&second),
        "succeeded",
        "re-listed under the new policy"
    );
    let fingerprint = second.summary()["pii"]["fingerprint"].clone();
    for file in crate::common::table_files(out.path(), "genesys_users") {
        assert_eq!(parquet_metadata(&file).as_deref(), fingerprint.as_str());
    }
    let third = run_args(subject, &sim, out.path(), &hashed).await;
    third.expect_code(0);
    assert_eq!(status(&third), "skipped", "same policy, recent snapshot");
}

/// In a Delta table, files a commit removed stay until vacuum; the policy
/// check looks only at the live version, so once a day was re-extracted
/// under the new policy, later partial runs under it are not widened again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delta_tables_judge_the_policy_by_their_live_files() {
    let subject = Subject::Genesys;
    let sim = subject.sim(200).await;
    let out = tempfile::tempdir().unwrap();
    run_args(subject, &sim, out.path(), &["--format", "delta"])
        .await
        .expect_code(0);
    let (hour_start, hour_end) = (format!("{START}T06:00:00Z"), format!("{START}T07:00:00Z"));
    let url = out.path().display().to_string();
    let env = [("CXETL_PII_KEY".to_string(), KEY.to_string())];
    let hourly = ["--format", "delta", "--pii", "hash", "--slice", "1h"];
    for widened in [true, false] {
        let run = subject
            .run_to(&sim, &hour_start, &hour_end, &url, &hourly, &env)
            .await;
        run.expect_code(0);
        let start = run.summary()["interval"]["start"].clone();
        let whole_day = start == format!("{START}T00:00:00Z").as_str();
        assert_eq!(whole_day, widened, "{start}: {}", run.stderr);
    }
}
