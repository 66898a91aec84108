//! Settings: every flag, environment variable and TOML key is declared once,
//! as a field of an options struct that is both the clap flag group and the
//! TOML section (`[run]` here, `[genesys]`/`[cxone]` in each vendor's room).
//! Flags and variables override the `--config` file, which overrides the
//! defaults; [`Settings::resolve`] does that once, and every command takes
//! the resolved value. Every error says what to change.
//!
//! ```toml
//! [genesys]
//! client_id = "…"
//! client_secret = "…"
//! region = "mypurecloud.ie"        # or api_url / login_url
//! api = "auto"                     # auto | jobs | query
//!
//! [run]
//! output = "s3://lake/cx"
//! max_bad_records = 100
//! rate_per_minute = 300
//! concurrency = 4
//! slice = "1d"
//! streams = ["conversations"]
//!
//! [pii]
//! default = "hash"                 # keep | hash | drop (key from CXETL_PII_KEY)
//! attributes_keep = ["queueName"]
//! [pii.columns]
//! "genesys_sessions.dnis" = "keep"
//! "cxone_contacts.from_address" = "last4"
//! ```

use crate::http::{ClientConfig, RetryPolicy};
use crate::vendors::{cxone, genesys, Vendor, VendorSettings};
use crate::{Error, Result};
use serde::Deserialize;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;
use url::Url;

/// Declares an options struct whose fields are all `Option`s, and
/// [`Layered::or`] for it, so each field is written down exactly once.
#[macro_export]
#[doc(hidden)]
macro_rules! layered_options {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($(#[$field_meta:meta])* pub $field:ident: Option<$ty:ty>,)*
    }) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: Option<$ty>,)*
        }
        impl $crate::settings::Layered for $name {
            fn or(self, lower: Self) -> Self {
                $name { $($field: self.$field.or(lower.$field),)* }
            }
        }
    };
}

/// An options struct that can be laid over a lower-priority one.
pub trait Layered {
    /// `self`'s values where set, else `lower`'s.
    fn or(self, lower: Self) -> Self;
}

/// Run defaults: the scheduler's knobs.
const DEFAULT_SLICE: &str = "1d";
const DEFAULT_CONCURRENCY: usize = 4;
/// Genesys's per-token platform limit; CXone documents no lower one.
const DEFAULT_RATE_PER_MINUTE: u32 = 300;
const DEFAULT_MAX_INTERVAL: &str = "1096d";
const DEFAULT_SNAPSHOT_MAX_AGE: &str = "6h";

layered_options! {
    /// `[run]` keys and the run flags of the same names.
    #[derive(Debug, Default, Clone, clap::Args, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RunOptions {
        /// Output: a local directory, file:///abs/path or s3://bucket/prefix.
        #[arg(long)]
        pub output: Option<String>,
        /// Quarantined records tolerated before exiting with 7 (default: no limit).
        #[arg(long)]
        pub max_bad_records: Option<u64>,
        /// Client-side request budget per minute (default 300, Genesys's per-token limit).
        #[arg(long)]
        pub rate_per_minute: Option<u32>,
        /// Slices extracted at once (they share the request budget; default 4).
        #[arg(long)]
        pub concurrency: Option<usize>,
        /// Longest slice, e.g. 1d, 6h (slices also end at every UTC midnight).
        #[arg(long)]
        pub slice: Option<String>,
        /// Attempts per request on 429/5xx/timeouts/resets before exiting with 5 (default 20).
        #[arg(long)]
        pub max_attempts: Option<u32>,
        /// Re-extract this much before --start too (late-arriving updates), e.g. 2d;
        /// the widened partitions are replaced, never duplicated.
        #[arg(long)]
        pub lookback: Option<String>,
        /// Longest interval one run accepts (default 1096d, three years); longer ones are a typo or a job for several runs.
        #[arg(long)]
        pub max_interval: Option<String>,
        /// A directory snapshot of today younger than this is not listed again
        /// (default 6h; 0 always re-lists), so a backfill lists each directory once a day.
        #[arg(long)]
        pub snapshot_max_age: Option<String>,
        /// Table format: parquet (Hive-partitioned files) or delta (Delta Lake tables).
        #[arg(long, value_enum)]
        pub format: Option<crate::sink::Format>,
        /// Streams to extract, comma-separated (default: every stream of the vendor).
        #[arg(long, value_delimiter = ',')]
        pub streams: Option<Vec<String>>,
        /// v1 config files set the Genesys API here; `[genesys] api` is its home now.
        #[arg(skip)]
        pub genesys_api: Option<String>,
    }
}

layered_options! {
    /// `[pii]` keys and `--pii`: what happens to personal data.
    #[derive(Debug, Default, Clone, clap::Args, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PiiOptions {
        /// Personal-data columns (classified in schemas/): keep, hash (HMAC-SHA256 with CXETL_PII_KEY) or drop (default keep).
        #[arg(id = "pii", long = "pii")]
        #[serde(rename = "default")]
        pub default: Option<String>,
        /// The HMAC key for `hash` (CXETL_PII_KEY; a flag would show it in process lists).
        #[arg(id = "pii_key", long = "pii-key", env = "CXETL_PII_KEY", hide = true, hide_env_values = true)]
        pub key: Option<crate::secret::Secret>,
        /// Participant-attribute keys kept as they are, comma-separated.
        #[arg(long = "pii-attributes-keep", value_delimiter = ',')]
        pub attributes_keep: Option<Vec<String>>,
        /// Per-column overrides, `"table.column" = keep|hash|drop|last4` (TOML only).
        #[arg(skip)]
        pub columns: Option<std::collections::BTreeMap<String, String>>,
    }
}

/// Every option of every section: the flags of `run`/`check`, and the
/// shape of the `--config` file.
#[derive(Debug, Default, Clone, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `[run]`.
    #[command(flatten)]
    #[serde(default)]
    pub run: RunOptions,
    /// `[genesys]`.
    #[command(flatten)]
    #[serde(default)]
    pub genesys: genesys::settings::GenesysOptions,
    /// `[cxone]`.
    #[command(flatten)]
    #[serde(default)]
    pub cxone: cxone::settings::CxoneOptions,
    /// `[pii]`.
    #[command(flatten)]
    #[serde(default)]
    pub pii: PiiOptions,
}

impl Layered for Options {
    fn or(self, lower: Self) -> Self {
        Options {
            run: self.run.or(lower.run),
            genesys: self.genesys.or(lower.genesys),
            cxone: self.cxone.or(lower.cxone),
            pii: self.pii.or(lower.pii),
        }
    }
}

impl Options {
    /// Reads and parses a config file; `None` gives the empty options.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Options::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read --config {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| {
            Error::Config(format!(
                "--config {}: {}",
                path.display(),
                e.message().trim()
            ))
        })
    }
}

/// The run settings, resolved.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Output URL as given; required by `run`, optional for `check`.
    pub output: Option<String>,
    /// Longest slice.
    pub slice_len: Duration,
    /// Slices extracted at once (≥ 1).
    pub concurrency: usize,
    /// Quarantined records tolerated before exit 7 (`None` = any number).
    pub max_bad_records: Option<u64>,
    /// Re-extract this much before the interval's start.
    pub lookback: Option<Duration>,
    /// Streams asked for (`None` = all of the vendor's).
    pub streams: Option<Vec<String>>,
    /// Longest interval one run accepts.
    pub max_interval: Duration,
    /// Snapshots of today younger than this are kept (zero: always re-list).
    pub snapshot_max_age: Duration,
    /// Parquet files or Delta tables.
    pub format: crate::sink::Format,
}

/// Everything a command needs, resolved once from flags, variables, the
/// config file and the defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The vendor's own section.
    pub vendor: VendorSettings,
    /// Run options.
    pub run: RunSettings,
    /// HTTP client settings (pacing, retry budget).
    pub http: ClientConfig,
    /// The personal-data policy, resolved against `schemas/`.
    pub pii: std::sync::Arc<crate::transform::pii::PiiPolicy>,
}

impl Settings {
    /// Lays `flags` over the `config` file and resolves the `vendor`'s section.
    pub fn resolve(vendor: Vendor, flags: Options, config: Option<&Path>) -> Result<Settings> {
        let mut options = flags.or(Options::load(config)?);
        if options.genesys.api.is_none() {
            options.genesys.api = options.run.genesys_api.take();
        }
        Self::from_options(vendor, options)
    }

    /// Resolves already layered options (the demo builds them in code).
    pub fn from_options(vendor: Vendor, options: Options) -> Result<Settings> {
        let run = options.run;
        let slice = run.slice.unwrap_or_else(|| DEFAULT_SLICE.into());
        let slice_len =
            parse_duration(&slice).map_err(|e| Error::Config(format!("--slice: {e}")))?;
        let lookback = run
            .lookback
            .map(|text| {
                parse_duration(&text).map_err(|_| {
                    Error::Config(format!(
                        "--lookback {text:?}: use a number and a unit, like 2d, 36h or 1w"
                    ))
                })
            })
            .transpose()?;
        let max_interval = run.max_interval.as_deref().unwrap_or(DEFAULT_MAX_INTERVAL);
        let max_interval = parse_duration(max_interval)
            .map_err(|e| Error::Config(format!("--max-interval: {e}")))?;
        let snapshot_max_age = match run.snapshot_max_age.as_deref().map(str::trim) {
            Some("0") => Duration::ZERO,
            other => parse_duration(other.unwrap_or(DEFAULT_SNAPSHOT_MAX_AGE))
                .map_err(|e| Error::Config(format!("--snapshot-max-age: {e}")))?,
        };
        let mut http = ClientConfig {
            rate_per_minute: run.rate_per_minute.unwrap_or(DEFAULT_RATE_PER_MINUTE),
            ..ClientConfig::default()
        };
        if let Some(n) = run.max_attempts {
            http.retry = RetryPolicy {
                max_attempts: n.max(1),
                ..http.retry
            };
        }
        let pii = options.pii;
        let pii = crate::transform::pii::PiiPolicy::resolve(&crate::transform::pii::PiiSpec {
            default: pii.default,
            columns: pii.columns.unwrap_or_default(),
            attributes_keep: pii.attributes_keep.unwrap_or_default(),
            key: pii.key,
        })
        .map_err(Error::Config)?;
        let vendor = match vendor {
            Vendor::Genesys => VendorSettings::Genesys(options.genesys.resolve()?),
            Vendor::Cxone => VendorSettings::Cxone(options.cxone.resolve()?),
        };
        Ok(Settings {
            vendor,
            run: RunSettings {
                output: run.output,
                slice_len,
                concurrency: run.concurrency.unwrap_or(DEFAULT_CONCURRENCY).max(1),
                max_bad_records: run.max_bad_records,
                lookback,
                streams: run.streams,
                max_interval,
                snapshot_max_age,
                format: run.format.unwrap_or_default(),
            },
            http,
            pii: std::sync::Arc::new(pii),
        })
    }

    /// The vendor.
    pub fn vendor(&self) -> Vendor {
        self.vendor.vendor()
    }
}

/// The error for a required credential that is not set anywhere.
pub fn missing(var: &str, key: &str, section: &str) -> Error {
    Error::Config(format!(
        "{var} is not set: export it, or put {key} under [{section}] in the --config file"
    ))
}

/// Accepts `https://` anywhere and `http://` only on loopback (simulators,
/// tests): credentials must never cross a network in clear text.
pub fn require_https_unless_loopback(setting: &str, url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Error::Config(format!(
            "{setting} {url} uses plain http to a non-loopback host; use https:// (http is only accepted for 127.0.0.1/localhost)"
        ))),
        other => Err(Error::Config(format!("{setting} {url}: unsupported scheme {other:?}; use https://"))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Parses an endpoint setting into a URL that passes the https rule.
pub fn endpoint(setting: &str, value: &str) -> Result<Url> {
    let url = Url::parse(value.trim_end_matches('/')).map_err(|e| {
        Error::Config(format!(
            "{setting} {value:?} is not a URL ({e}); example: https://api.mypurecloud.com"
        ))
    })?;
    require_https_unless_loopback(setting, &url)?;
    Ok(url)
}

/// Parses a duration like `30s`, `15m`, `6h`, `1d`, `2w`.
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| {
        format!("cannot read duration {s:?}: use a number and a unit, like 30m, 6h or 1d")
    })?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" | "" => n * 86_400,
        "w" => n * 7 * 86_400,
        _ => {
            return Err(format!(
                "cannot read duration {s:?}: the unit must be s, m, h, d or w"
            ))
        }
    };
    if secs == 0 {
        return Err(format!("duration {s:?} must be longer than zero"));
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_to_loopback() {
        for ok in [
            "https://api.mypurecloud.com",
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            assert!(endpoint("X", ok).is_ok(), "{ok}");
        }
        let e = endpoint("GENESYS_API_URL", "http://api.mypurecloud.com")
            .unwrap_err()
            .to_string();
        assert!(e.contains("use https://"), "{e}");
        assert!(endpoint("X", "ftp://x").is_err());
        assert!(endpoint("X", "not a url")
            .unwrap_err()
            .to_string()
            .contains("example"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("6h").unwrap(), Duration::from_secs(6 * 3600));
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
        assert_eq!(
            parse_duration("3").unwrap(),
            Duration::from_secs(3 * 86_400)
        );
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("1y").unwrap_err().contains("unit"));
    }

    #[test]
    fn flags_override_the_file_and_defaults_apply_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(
            &p,
            "[genesys]\nclient_id='file-id'\nclient_secret='s'\n\
             [run]\ngenesys_api='query'\nconcurrency=7\nstreams=['conversations']\nlookback='2d'\n",
        )
        .unwrap();
        let flags = Options {
            genesys: genesys::settings::GenesysOptions {
                client_id: Some("flag-id".into()),
                ..Default::default()
            },
            run: RunOptions {
                rate_per_minute: Some(60),
                ..Default::default()
            },
            ..Default::default()
        };
        let s = Settings::resolve(Vendor::Genesys, flags, Some(&p)).unwrap();
        let VendorSettings::Genesys(g) = &s.vendor else {
            panic!("genesys settings")
        };
        assert_eq!(g.client_id, "flag-id", "a flag beats the file");
        assert_eq!(
            g.client_secret.expose(),
            "s",
            "the file fills what flags leave"
        );
        assert_eq!(
            g.api,
            genesys::settings::ApiMode::Query,
            "v1's [run] genesys_api still counts"
        );
        assert_eq!(s.http.rate_per_minute, 60);
        assert_eq!(s.run.concurrency, 7);
        assert_eq!(
            s.run.streams.as_deref(),
            Some(&["conversations".to_string()][..])
        );
        assert_eq!(s.run.lookback, Some(Duration::from_secs(2 * 86_400)));
        assert_eq!(
            s.run.slice_len,
            Duration::from_secs(86_400),
            "default slice"
        );

        let e = Settings::resolve(Vendor::Cxone, Options::default(), None).unwrap_err();
        assert!(e.to_string().contains("CXONE_ACCESS_KEY_ID"), "{e}");
    }

    #[test]
    fn config_file_rejects_unknown_keys_and_keeps_secrets_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[genesys]\nclient_id='a'\nclient_secret='s3cr3t'\n").unwrap();
        let c = Options::load(Some(&p)).unwrap();
        assert_eq!(c.genesys.client_id.as_deref(), Some("a"));
        assert!(!format!("{c:?}").contains("s3cr3t"));
        std::fs::write(&p, "[genesys]\nclient_secrett='x'\n").unwrap();
        let e = Options::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains("client_secrett"), "{e}");
    }
}
