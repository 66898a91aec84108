//! Shared helpers for the end-to-end tests: start the simulator, run the real
//! binary against it over HTTP, and read the Parquet it wrote back.
#![allow(dead_code)]

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Int64Type, TimestampMicrosecondType};
use cxetl::simulator::{self, SimConfig, Simulator};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

/// One `#[tokio::test]` per vendor for each contract named: the module
/// `<contract>` holds `genesys` and `cxone`, which call the async fn
/// `<contract>(Subject::…)` of the invoking module.
macro_rules! for_each_subject {
    ($($contract:ident),* $(,)?) => {$(
        mod $contract {
            use crate::common::Subject;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn genesys() {
                super::$contract(Subject::Genesys).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn cxone() {
                super::$contract(Subject::Cxone).await
            }
        }
    )*};
}

pub mod azurite;
pub mod emulator;
pub mod gcs;
pub mod s3;
pub mod store;
pub mod subject;

pub use subject::Subject;

pub const BIN: &str = env!("CARGO_BIN_EXE_cxetl");

/// The tables of Genesys's `conversations` stream.
pub fn genesys_tables() -> Vec<cxetl::transform::Table> {
    Subject::Genesys.tables()
}

/// Starts the simulator on a free loopback port.
pub async fn start(config: SimConfig) -> Simulator {
    simulator::start(config, 0).await.expect("simulator starts")
}

/// The result of one `cxetl` invocation.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The last stdout line, parsed as the summary.
    pub fn summary(&self) -> serde_json::Value {
        let last = self
            .stdout
            .lines()
            .last()
            .unwrap_or_else(|| panic!("no stdout; stderr:\n{}", self.stderr));
        serde_json::from_str(last)
            .unwrap_or_else(|e| panic!("last stdout line is not JSON ({e}): {last}"))
    }

    /// Panics with the logs unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code; stderr:\n{}\nstdout:\n{}",
            self.stderr, self.stdout
        );
        self
    }
}

/// Runs the binary with arguments and extra environment (the parent's
/// vendor variables are cleared so the developer's shell cannot leak in).
pub async fn cxetl_with_env(args: &[String], env: &[(String, String)]) -> Run {
    let args = args.to_vec();
    let env = env.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(&args)
            .env("RUST_LOG", "cxetl=debug,warn")
            .env("NO_COLOR", "1");
        for (k, _) in std::env::vars() {
            if [
                "GENESYS_",
                "CXONE_",
                "CXETL_",
                "AWS_",
                "AZURE_",
                "AZURITE_",
                "GOOGLE_",
                "STORAGE_EMULATOR_HOST",
                "SERVICE_ACCOUNT",
            ]
            .iter()
            .any(|p| k.starts_with(p))
            {
                cmd.env_remove(k);
            }
        }
        cmd.envs(env);
        let Output {
            status,
            stdout,
            stderr,
        } = cmd.output().expect("cxetl runs");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    })
    .await
    .expect("runner task")
}

/// Every `*.parquet` file under `dir/<table>/`, sorted.
pub fn table_files(dir: &Path, table: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(&dir.join(table), &mut out);
    out.retain(|p| p.extension().is_some_and(|e| e == "parquet"));
    out.sort();
    out
}

/// All files under `dir`, recursively.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Reads one Parquet file into batches.
pub fn read_file(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).expect("open parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("parquet footer")
        .build()
        .expect("reader");
    reader.map(|b| b.expect("batch")).collect()
}

/// Reads every file of a table.
pub fn read_table(dir: &Path, table: &str) -> Vec<RecordBatch> {
    table_files(dir, table)
        .iter()
        .flat_map(|p| read_file(p))
        .collect()
}

/// What the `conversations` table holds: ids (with multiplicity), duration sum.
pub struct Conversations {
    pub rows: usize,
    pub ids: BTreeSet<String>,
    pub duration_ms_sum: i64,
    pub ongoing: usize,
    pub starts_us: Vec<i64>,
}

/// Reads the `conversations` table back from Parquet.
pub fn conversations(dir: &Path) -> Conversations {
    let mut c = Conversations {
        rows: 0,
        ids: BTreeSet::new(),
        duration_ms_sum: 0,
        ongoing: 0,
        starts_us: Vec::new(),
    };
    for b in read_table(dir, "conversations") {
        let ids = b
            .column_by_name("conversation_id")
            .unwrap()
            .as_string::<i32>();
        let dur = b
            .column_by_name("duration_ms")
            .unwrap()
            .as_primitive::<Int64Type>();
        let start = b
            .column_by_name("started_at")
            .unwrap()
            .as_primitive::<TimestampMicrosecondType>();
        for i in 0..b.num_rows() {
            c.rows += 1;
            c.ids.insert(ids.value(i).to_string());
            if dur.is_null(i) {
                c.ongoing += 1;
            } else {
                c.duration_ms_sum += dur.value(i);
            }
            c.starts_us.push(start.value(i));
        }
    }
    c
}

/// A fresh simulator config over a small interval for quick tests.
pub fn small_config(conversations: usize) -> SimConfig {
    SimConfig {
        conversations,
        interval: cxetl::Interval::parse("2026-11-20", "2026-11-22").unwrap(),
        ..SimConfig::default()
    }
}

/// A JSON file (a sample under `sample_data/`), parsed; panics naming it.
pub fn read_json(path: &Path) -> serde_json::Value {
    let name = path.display();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A date-time as both vendors write them: UTC, milliseconds, `Z`
/// (`2026-11-20T08:15:00.000Z`).
pub fn is_vendor_date(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 24 && s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok()
    })
}
