//! Command-line interface (clap): the subcommands and their own flags. The
//! run, vendor and output options are declared once in `cxetl::settings`
//! and the vendors' settings modules, and flattened in here; secrets never
//! echo their values in `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use cxetl::settings::Options;
use cxetl::Vendor;
use std::path::PathBuf;

/// Contact-center conversations (Genesys Cloud, NICE CXone) to Hive-partitioned Parquet.
#[derive(Debug, Parser)]
#[command(name = "cxetl", version, about, max_term_width = 100)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "CXETL_LOG_FORMAT")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log pipelines.
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract an interval from a vendor into the output lake.
    Run(RunArgs),
    /// Run the built-in simulator and extract from it (no credentials needed).
    Demo(DemoArgs),
    /// Serve a vendor's API shapes on 127.0.0.1 until interrupted.
    Simulate(SimulateArgs),
    /// Print the declared table schemas.
    Schema(SchemaArgs),
    /// Preflight: configuration, credentials, permissions, reachability, output.
    Check(CheckArgs),
    /// Split an interval into shards an orchestrator runs in parallel (one JSON line).
    Plan(PlanArgs),
    /// What the lake holds: loaded days, gaps, rows, last run and leases, from its metadata.
    Status(StatusArgs),
    /// Delete the files of the lake's Delta tables that no version within the retention needs.
    Vacuum(VacuumArgs),
}

/// `cxetl vacuum`.
#[derive(Debug, Args)]
pub struct VacuumArgs {
    /// The lake: a local directory, file:///abs/path or s3://bucket/prefix.
    #[arg(long)]
    pub output: String,
    /// Keep files removed (or written and never committed) less than this long ago, e.g. 7d.
    #[arg(long, default_value = "7d")]
    pub retain: String,
    /// List what would be deleted; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `cxetl check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Vendor to check.
    #[arg(value_enum)]
    pub vendor: Vendor,
    /// TOML file with credentials and run defaults (flags and env override it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The same options as `run`; `--output` is proved writable when given.
    #[command(flatten)]
    pub options: Options,
}

/// `cxetl status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The lake: a local directory, file:///abs/path or s3://bucket/prefix.
    #[arg(long)]
    pub output: String,
    /// Only this vendor.
    #[arg(long, value_enum)]
    pub vendor: Option<Vendor>,
    /// Report from this time (with --end: days missing inside are gaps).
    #[arg(long, requires = "end")]
    pub start: Option<String>,
    /// Report until this time (exclusive).
    #[arg(long, requires = "start")]
    pub end: Option<String>,
}

/// `cxetl plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Vendor to plan for.
    #[arg(value_enum)]
    pub vendor: Vendor,
    /// Interval start (inclusive), as for `run`.
    #[arg(long)]
    pub start: String,
    /// Interval end (exclusive), as for `run`.
    #[arg(long)]
    pub end: String,
    /// Shards at most (one per UTC day at the most).
    #[arg(long, default_value_t = 4)]
    pub shards: usize,
    /// An org-wide request budget the shards share (default: each shard's token has its own).
    #[arg(long)]
    pub total_rate_per_minute: Option<u32>,
    /// TOML file with credentials and run defaults, passed on to every shard.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The run options, passed on to every shard.
    #[command(flatten)]
    pub options: Options,
}

/// `cxetl run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Vendor to extract from.
    #[arg(value_enum)]
    pub vendor: Vendor,
    /// Interval start (inclusive): RFC 3339 with offset, or a bare date (00:00 UTC).
    #[arg(long)]
    pub start: String,
    /// Interval end (exclusive), same forms as --start.
    #[arg(long)]
    pub end: String,
    /// TOML file with credentials and run defaults (flags and env override it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the plan (slices, API mode, target files) and exit: no data
    /// requests, nothing written.
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the summary JSON to this file, on success and on failure
    /// (KubernetesPodOperator reads /airflow/xcom/return.json).
    #[arg(long)]
    pub summary_file: Option<PathBuf>,
    /// Every run, vendor and output option (declared in `cxetl::settings`).
    #[command(flatten)]
    pub options: Options,
}

/// `cxetl demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output directory.
    #[arg(long, default_value = "cxetl-demo")]
    pub output: String,
    /// Conversations the simulator generates.
    #[arg(long, default_value_t = 5000)]
    pub conversations: usize,
}

/// `cxetl simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Vendor to simulate.
    #[arg(value_enum)]
    pub vendor: Vendor,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Conversations to generate.
    #[arg(long, default_value_t = 2000)]
    pub conversations: usize,
    /// Start of the generated data (conversations spread over [start, end)).
    #[arg(long, default_value = "2026-11-20")]
    pub start: String,
    /// End of the generated data.
    #[arg(long, default_value = "2026-11-23")]
    pub end: String,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Token lifetime in seconds (advertised and enforced).
    #[arg(long, default_value_t = 3600.0)]
    pub token_ttl: f64,
    /// Malformed records mixed into the data.
    #[arg(long, default_value_t = 0)]
    pub bad_records: usize,
    /// Presence/routing (CXone: state) periods per agent and day of activity.
    #[arg(long, default_value_t = 6)]
    pub activity_periods_per_agent_day: usize,
    /// Added latency per API page, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Revoke the token early every N API requests (401 while still valid).
    #[arg(long)]
    pub revoke_every: Option<u32>,
    /// Start a 429 burst every N API requests.
    #[arg(long)]
    pub throttle_every: Option<u32>,
    /// Retry-After seconds on injected 429s.
    #[arg(long, default_value_t = 1)]
    pub retry_after: u32,
    /// Answer 5xx (HTML body) every N API requests.
    #[arg(long)]
    pub server_error_every: Option<u32>,
    /// Drop the connection mid-response every N API requests.
    #[arg(long)]
    pub reset_every: Option<u32>,
    /// Answer 403 on analytics endpoints (missing permission).
    #[arg(long)]
    pub forbidden: bool,
    /// The first N async jobs end FAILED.
    #[arg(long, default_value_t = 0)]
    pub job_failures: u32,
    /// Genesys: async jobs stay QUEUED/PENDING this many milliseconds after submission.
    #[arg(long, default_value_t = 0)]
    pub job_latency_ms: u64,
    /// Enforce a request budget per minute per token (429 beyond it).
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Data-availability watermark of async jobs (default: end of the data).
    #[arg(long)]
    pub data_availability: Option<String>,
}

/// `cxetl schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// One table (default: all).
    pub table: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
    pub format: SchemaFormat,
}

/// Schema output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    /// The declared schema files from `schemas/`.
    Json,
    /// `CREATE TABLE` statements (DuckDB dialect).
    Ddl,
}
