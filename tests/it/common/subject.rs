//! The vendor a test is about: what differs between Genesys and CXone when
//! the real binary runs against the simulator, in one place, so a contract
//! is written once and run for every vendor.

use super::{cxetl_with_env, read_table, start, Run};
use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Int64Type};
use cxetl::simulator::{SimConfig, Simulator};
use cxetl::transform::Table;
use cxetl::{Interval, Vendor};
use std::collections::BTreeSet;
use std::path::Path;

/// The two days every contract runs over (the simulator's data spans them).
pub const START: &str = "2026-11-20";
pub const MIDDLE: &str = "2026-11-21";
pub const END: &str = "2026-11-22";

/// `[START, END)`.
pub fn whole() -> Interval {
    Interval::parse(START, END).unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Genesys,
    Cxone,
}

impl Subject {
    pub fn vendor(self) -> Vendor {
        match self {
            Subject::Genesys => Vendor::Genesys,
            Subject::Cxone => Vendor::Cxone,
        }
    }

    /// `cxetl run <name>`.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Genesys => "genesys",
            Subject::Cxone => "cxone",
        }
    }

    /// This vendor's simulator with `conversations` records over `[START, END)`.
    pub fn config(self, conversations: usize) -> SimConfig {
        SimConfig {
            vendor: self.vendor(),
            conversations,
            interval: whole(),
            ..SimConfig::default()
        }
    }

    /// Starts this vendor's simulator with [`Subject::config`].
    pub async fn sim(self, conversations: usize) -> Simulator {
        start(self.config(conversations)).await
    }

    /// The tables a run writes.
    pub fn tables(self) -> Vec<Table> {
        let names: &[&str] = match self {
            Subject::Genesys => &[
                "conversations",
                "genesys_participants",
                "genesys_sessions",
                "genesys_segments",
                "genesys_metrics",
            ],
            Subject::Cxone => &["conversations", "cxone_contacts"],
        };
        names.iter().map(|n| Table::named(n)).collect()
    }

    /// The vendor's own table that every record reaches, its id column, and
    /// whether it holds exactly one row per record.
    pub fn record_table(self) -> (&'static str, &'static str, bool) {
        match self {
            Subject::Genesys => ("genesys_participants", "conversation_id", false),
            Subject::Cxone => ("cxone_contacts", "contact_id", true),
        }
    }

    /// Arguments for the vendor's bulk path: few, large pages (Genesys:
    /// analytics jobs; CXone: `top` = 250).
    pub fn bulk(self) -> &'static [&'static str] {
        match self {
            Subject::Genesys => &["--genesys-api", "jobs"],
            Subject::Cxone => &["--cxone-top", "250"],
        }
    }

    /// Arguments for many small pages (Genesys: the synchronous query,
    /// 100 a page; CXone: `top` = 100).
    pub fn paged(self) -> &'static [&'static str] {
        match self {
            Subject::Genesys => &["--genesys-api", "query"],
            Subject::Cxone => &["--cxone-top", "100"],
        }
    }

    /// The smallest pages, for a run long enough to outlive short tokens
    /// (Genesys: the query's 100; CXone: `top` = 50).
    pub fn small_pages(self) -> &'static [&'static str] {
        match self {
            Subject::Genesys => self.paged(),
            Subject::Cxone => &["--cxone-top", "50"],
        }
    }

    /// The status of an injected throttle (CXone throttles with 503).
    pub fn throttle_status(self) -> u16 {
        match self {
            Subject::Genesys => 429,
            Subject::Cxone => 503,
        }
    }

    /// The summary's `http` counter of injected throttles: CXone's 503s
    /// count as server errors, whatever their `Retry-After`.
    pub fn throttle_counter(self) -> &'static str {
        match self {
            Subject::Genesys => "throttled",
            Subject::Cxone => "server_errors",
        }
    }

    /// What a 403's error message must name.
    pub fn permission(self) -> &'static str {
        match self {
            Subject::Genesys => "analytics:conversationDetail:view",
            Subject::Cxone => "contacts/completed",
        }
    }

    /// The secret variable a bad-credentials test replaces, and the words
    /// one of which the refusal must carry.
    pub fn secret_var(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Subject::Genesys => ("GENESYS_CLIENT_SECRET", &["invalid_client", "refused"]),
            Subject::Cxone => ("CXONE_ACCESS_KEY_SECRET", &["invalid_grant"]),
        }
    }

    /// The secrets of `config` this vendor's run is given.
    pub fn secrets(self, config: &SimConfig) -> Vec<String> {
        match self {
            Subject::Genesys => vec![config.client_secret.clone()],
            Subject::Cxone => vec![
                config.client_secret.clone(),
                config.access_key_secret.clone(),
            ],
        }
    }

    /// Field names the quarantine reasons of the simulator's bad records
    /// (one of each kind) must mention.
    pub fn bad_record_fields(self) -> &'static [&'static str] {
        match self {
            Subject::Genesys => &[
                "conversationId",
                "conversationStart",
                "participants",
                "segmentStart",
            ],
            Subject::Cxone => &["contactId", "contactStartDate", "totalDurationSeconds"],
        }
    }

    /// The environment of a run against `sim` (fast job polling for Genesys).
    pub fn env(self, sim: &Simulator) -> Vec<(String, String)> {
        let c = sim.config();
        let pairs: Vec<(&str, String)> = match self {
            Subject::Genesys => vec![
                ("GENESYS_CLIENT_ID", c.client_id.clone()),
                ("GENESYS_CLIENT_SECRET", c.client_secret.clone()),
                ("GENESYS_API_URL", sim.api_url()),
                ("GENESYS_LOGIN_URL", sim.login_url()),
                ("CXETL_JOB_POLL_MS", "20".to_string()),
            ],
            Subject::Cxone => vec![
                ("CXONE_ACCESS_KEY_ID", c.access_key_id.clone()),
                ("CXONE_ACCESS_KEY_SECRET", c.access_key_secret.clone()),
                ("CXONE_CLIENT_ID", c.client_id.clone()),
                ("CXONE_CLIENT_SECRET", c.client_secret.clone()),
                ("CXONE_AUTH_URL", sim.login_url()),
            ],
        };
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// The vendor's record stream, the one the contracts are about.
    pub fn record_stream(self) -> &'static str {
        match self {
            Subject::Genesys => "conversations",
            Subject::Cxone => "contacts",
        }
    }

    /// Arguments and environment of `cxetl run <vendor> <args…>` against
    /// `sim`; only the record stream unless `args` names `--streams`, so
    /// request counts stay those of the contract under test.
    pub fn command(self, sim: &Simulator, args: &[String]) -> (Vec<String>, Vec<(String, String)>) {
        let head = ["run".to_string(), self.name().to_string()];
        let streams = (!args.iter().any(|a| a == "--streams"))
            .then(|| ["--streams".to_string(), self.record_stream().to_string()]);
        (
            head.into_iter()
                .chain(args.iter().cloned())
                .chain(streams.into_iter().flatten())
                .collect(),
            self.env(sim),
        )
    }

    /// Runs `cxetl run <vendor>` for `[start, end)` into the folder `out`.
    pub async fn run(
        self,
        sim: &Simulator,
        start: &str,
        end: &str,
        out: &Path,
        extra: &[&str],
    ) -> Run {
        self.run_to(sim, start, end, &out.display().to_string(), extra, &[])
            .await
    }

    /// Like [`Subject::run`], to any output URL, with extra environment
    /// (later pairs win).
    pub async fn run_to(
        self,
        sim: &Simulator,
        start: &str,
        end: &str,
        output: &str,
        extra: &[&str],
        extra_env: &[(String, String)],
    ) -> Run {
        let args: Vec<String> = ["--start", start, "--end", end, "--output", output]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect();
        let (args, mut env) = self.command(sim, &args);
        env.retain(|(k, _)| extra_env.iter().all(|(x, _)| x != k));
        env.extend(extra_env.iter().cloned());
        cxetl_with_env(&args, &env).await
    }

    /// The distinct ids in the vendor's record table, as text, and its rows.
    pub fn record_ids(self, dir: &Path) -> (BTreeSet<String>, usize) {
        let (table, column, _) = self.record_table();
        let mut ids = BTreeSet::new();
        let mut rows = 0;
        for b in read_table(dir, table) {
            let col = b.column_by_name(column).unwrap();
            rows += col.len();
            for i in 0..col.len() {
                ids.insert(match col.data_type() {
                    DataType::Int64 => col.as_primitive::<Int64Type>().value(i).to_string(),
                    _ => col.as_string::<i32>().value(i).to_string(),
                });
            }
        }
        (ids, rows)
    }

    /// Panics unless the lake under `dir` holds exactly the simulator's
    /// truth for `interval`: conversation rows, ids, duration sum, ongoing,
    /// and the same ids in the vendor's record table.
    pub fn assert_matches_truth(self, dir: &Path, sim: &Simulator, interval: &Interval) {
        let truth = sim.ground_truth(interval);
        let got = super::conversations(dir);
        let v = self.name();
        assert!(truth.count > 100, "{v}: the test interval should hold data");
        assert_eq!(got.rows, truth.count, "{v}: conversation rows");
        assert_eq!(got.ids, truth.ids, "{v}: conversation ids");
        assert_eq!(
            got.duration_ms_sum, truth.duration_ms_sum,
            "{v}: sum of durations"
        );
        assert_eq!(got.ongoing, truth.ongoing, "{v}: ongoing (null duration)");
        let (table, _, one_row_each) = self.record_table();
        let (ids, rows) = self.record_ids(dir);
        assert_eq!(ids, truth.ids, "{v}: ids in {table}");
        if one_row_each {
            assert_eq!(rows, truth.count, "{v}: {table} rows");
        }
    }
}
