//! Command-line interface (clap). Flags double as environment variables
//! where the contract names one; secrets never echo their values in `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use cxetl::sources::genesys::ApiMode;
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
}

/// `cxetl check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Vendor to check.
    #[arg(value_enum)]
    pub vendor: Vendor,
    /// Output to prove writable: a local directory, file:///abs/path or s3://bucket/prefix.
    #[arg(long)]
    pub output: Option<String>,
    /// TOML file with credentials and run defaults (flags and env override it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub genesys: GenesysArgs,
    #[command(flatten)]
    pub cxone: CxoneArgs,
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
    /// Output: a local directory, file:///abs/path or s3://bucket/prefix.
    #[arg(long)]
    pub output: Option<String>,
    /// Genesys API per slice: auto picks async jobs up to the data-availability date, the query after it.
    #[arg(long, value_enum)]
    pub genesys_api: Option<ApiMode>,
    /// Quarantined records tolerated before exiting with 7 (default: no limit).
    #[arg(long)]
    pub max_bad_records: Option<u64>,
    /// TOML file with credentials and run defaults (flags and env override it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Client-side request budget per minute (Genesys default: 300, the per-token platform limit).
    #[arg(long)]
    pub rate_per_minute: Option<u32>,
    /// Slices extracted at once (they share the request budget).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Longest slice, e.g. 1d, 6h (slices also end at every UTC midnight).
    #[arg(long)]
    pub slice: Option<String>,
    /// Attempts per request on 429/5xx/timeouts/resets before exiting with 5.
    #[arg(long)]
    pub max_attempts: Option<u32>,
    /// Re-extract this much before --start too (late-arriving updates), e.g. 2d;
    /// the widened partitions are replaced, never duplicated.
    #[arg(long)]
    pub lookback: Option<String>,
    /// Print the plan (slices, API mode, target files) and exit: no data
    /// requests, nothing written.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub genesys: GenesysArgs,
    #[command(flatten)]
    pub cxone: CxoneArgs,
}

/// NICE CXone credentials and endpoints.
#[derive(Debug, Args, Default)]
pub struct CxoneArgs {
    /// Access key id (sent as the password grant's username).
    #[arg(long, env = "CXONE_ACCESS_KEY_ID", hide_env_values = true)]
    pub cxone_access_key_id: Option<String>,
    /// Access key secret (sent as the password grant's password).
    #[arg(long, env = "CXONE_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub cxone_access_key_secret: Option<String>,
    /// Registered application's client id.
    #[arg(long, env = "CXONE_CLIENT_ID", hide_env_values = true)]
    pub cxone_client_id: Option<String>,
    /// Registered application's client secret.
    #[arg(long, env = "CXONE_CLIENT_SECRET", hide_env_values = true)]
    pub cxone_client_secret: Option<String>,
    /// OIDC issuer (default https://cxone.niceincontact.com).
    #[arg(long, env = "CXONE_AUTH_URL")]
    pub cxone_auth_url: Option<String>,
    /// Tenant API endpoint (skips discovery from the id token).
    #[arg(long, env = "CXONE_API_URL")]
    pub cxone_api_url: Option<String>,
    /// Reporting API version in the path (default v34.0).
    #[arg(long, env = "CXONE_API_VERSION")]
    pub cxone_api_version: Option<String>,
    /// Contacts per page (`top`, at most 10000).
    #[arg(long)]
    pub cxone_top: Option<u32>,
}

/// Genesys Cloud credentials and endpoints.
#[derive(Debug, Args, Default)]
pub struct GenesysArgs {
    /// OAuth client id (client-credentials grant).
    #[arg(long, env = "GENESYS_CLIENT_ID", hide_env_values = true)]
    pub genesys_client_id: Option<String>,
    /// OAuth client secret.
    #[arg(long, env = "GENESYS_CLIENT_SECRET", hide_env_values = true)]
    pub genesys_client_secret: Option<String>,
    /// Region domain, e.g. mypurecloud.com, mypurecloud.ie, usw2.pure.cloud.
    #[arg(long, env = "GENESYS_REGION")]
    pub genesys_region: Option<String>,
    /// API base URL override (default https://api.<region>).
    #[arg(long, env = "GENESYS_API_URL")]
    pub genesys_api_url: Option<String>,
    /// Login base URL override (default https://login.<region>).
    #[arg(long, env = "GENESYS_LOGIN_URL")]
    pub genesys_login_url: Option<String>,
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
