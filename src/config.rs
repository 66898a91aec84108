//! Settings: command-line flags and environment variables (named in the
//! contract) override an optional TOML `--config` file, which overrides the
//! defaults. Every error says what to change.
//!
//! ```toml
//! [genesys]
//! client_id = "…"
//! client_secret = "…"
//! region = "mypurecloud.ie"        # or api_url / login_url
//!
//! [run]
//! output = "s3://lake/cx"
//! genesys_api = "auto"            # auto | jobs | query
//! max_bad_records = 100
//! rate_per_minute = 300
//! concurrency = 4
//! slice = "1d"
//! ```

use crate::{Error, Result, Secret};
use serde::Deserialize;
use std::net::IpAddr;
use std::time::Duration;
use url::Url;

/// The TOML config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `[genesys]` credentials and endpoints.
    #[serde(default)]
    pub genesys: GenesysFile,
    /// `[cxone]` credentials and endpoints.
    #[serde(default)]
    pub cxone: CxoneFile,
    /// `[run]` options.
    #[serde(default)]
    pub run: RunFile,
}

/// `[genesys]` section; keys mirror the `GENESYS_*` variables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesysFile {
    /// GENESYS_CLIENT_ID.
    pub client_id: Option<String>,
    /// GENESYS_CLIENT_SECRET.
    pub client_secret: Option<Secret>,
    /// GENESYS_REGION, e.g. `mypurecloud.com`, `usw2.pure.cloud`.
    pub region: Option<String>,
    /// GENESYS_API_URL.
    pub api_url: Option<String>,
    /// GENESYS_LOGIN_URL.
    pub login_url: Option<String>,
}

/// `[cxone]` section; keys mirror the `CXONE_*` variables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CxoneFile {
    /// CXONE_ACCESS_KEY_ID.
    pub access_key_id: Option<String>,
    /// CXONE_ACCESS_KEY_SECRET.
    pub access_key_secret: Option<Secret>,
    /// CXONE_CLIENT_ID.
    pub client_id: Option<String>,
    /// CXONE_CLIENT_SECRET.
    pub client_secret: Option<Secret>,
    /// CXONE_AUTH_URL (issuer).
    pub auth_url: Option<String>,
    /// CXONE_API_URL (skips discovery).
    pub api_url: Option<String>,
    /// CXONE_API_VERSION (default v34.0).
    pub api_version: Option<String>,
    /// Page size (`top`).
    pub top: Option<u32>,
}

/// `[run]` section: defaults for `cxetl run` flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    /// --output.
    pub output: Option<String>,
    /// --genesys-api.
    pub genesys_api: Option<String>,
    /// --max-bad-records.
    pub max_bad_records: Option<u64>,
    /// --rate-per-minute.
    pub rate_per_minute: Option<u32>,
    /// --concurrency.
    pub concurrency: Option<usize>,
    /// --slice.
    pub slice: Option<String>,
    /// --max-attempts.
    pub max_attempts: Option<u32>,
    /// --lookback, e.g. `2d`.
    pub lookback: Option<String>,
}

impl FileConfig {
    /// Reads and parses a config file; `None` gives the empty config.
    pub fn load(path: Option<&std::path::Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
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

/// First non-empty value of a flag/env and the file, else the default.
pub fn pick<T>(flag: Option<T>, file: Option<T>) -> Option<T> {
    flag.or(file)
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
    fn config_file_rejects_unknown_keys_and_keeps_secrets_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[genesys]\nclient_id='a'\nclient_secret='s3cr3t'\n").unwrap();
        let c = FileConfig::load(Some(&p)).unwrap();
        assert_eq!(c.genesys.client_id.as_deref(), Some("a"));
        assert!(!format!("{c:?}").contains("s3cr3t"));
        std::fs::write(&p, "[genesys]\nclient_secrett='x'\n").unwrap();
        let e = FileConfig::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains("client_secrett"), "{e}");
    }
}
