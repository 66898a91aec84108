//! The `[genesys]` section: its flags, variables and TOML keys (declared
//! once, in [`GenesysOptions`]) and the resolved [`GenesysSettings`].

use crate::settings::{endpoint, missing};
use crate::{Error, Result, Secret};
use std::time::Duration;
use url::Url;

crate::layered_options! {
    /// `[genesys]` keys; the flags and variables carry the `genesys-`/`GENESYS_` prefix.
    #[derive(Debug, Default, Clone, clap::Args, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct GenesysOptions {
        /// OAuth client id (client-credentials grant).
        #[arg(id = "genesys_client_id", long = "genesys-client-id", env = "GENESYS_CLIENT_ID", hide_env_values = true)]
        pub client_id: Option<String>,
        /// OAuth client secret.
        #[arg(id = "genesys_client_secret", long = "genesys-client-secret", env = "GENESYS_CLIENT_SECRET", hide_env_values = true)]
        pub client_secret: Option<Secret>,
        /// Region domain, e.g. mypurecloud.com, mypurecloud.ie, usw2.pure.cloud.
        #[arg(id = "genesys_region", long = "genesys-region", env = "GENESYS_REGION")]
        pub region: Option<String>,
        /// API base URL override (default https://api.<region>).
        #[arg(id = "genesys_api_url", long = "genesys-api-url", env = "GENESYS_API_URL")]
        pub api_url: Option<String>,
        /// Login base URL override (default https://login.<region>).
        #[arg(id = "genesys_login_url", long = "genesys-login-url", env = "GENESYS_LOGIN_URL")]
        pub login_url: Option<String>,
        /// Genesys API per slice: auto picks async jobs up to the data-availability date, the query after it.
        #[arg(id = "genesys_api", long = "genesys-api", value_parser = ["auto", "jobs", "query"])]
        pub api: Option<String>,
        /// First job-status poll in ms (default 3000, then ×1.5 up to ten times that):
        /// a knob for simulators; real Genesys wants gentle polling.
        #[arg(id = "genesys_job_poll_ms", long = "genesys-job-poll-ms", env = "CXETL_JOB_POLL_MS", hide = true)]
        pub job_poll_ms: Option<u64>,
    }
}

/// Which Genesys API reads a slice (`--genesys-api`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiMode {
    /// Jobs for slices the datalake covers, query for the rest.
    Auto,
    /// Asynchronous details jobs.
    Jobs,
    /// Synchronous details query.
    Query,
}

impl ApiMode {
    /// The name used on the command line, in plans and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiMode::Auto => "auto",
            ApiMode::Jobs => "jobs",
            ApiMode::Query => "query",
        }
    }

    /// The mode called `s`.
    pub fn parse(s: &str) -> Result<ApiMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(ApiMode::Auto),
            "jobs" => Ok(ApiMode::Jobs),
            "query" => Ok(ApiMode::Query),
            _ => Err(Error::Config(format!(
                "genesys api {s:?}: use auto, jobs or query (--genesys-api, [genesys] api)"
            ))),
        }
    }
}

/// Endpoints, credentials and paging settings of the Genesys connector.
#[derive(Debug, Clone)]
pub struct GenesysSettings {
    /// `https://api.<region>` (or a simulator's URL).
    pub api_url: Url,
    /// `https://login.<region>`; the token endpoint is `{login_url}/oauth/token`.
    pub login_url: Url,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: Secret,
    /// API per slice.
    pub api: ApiMode,
    /// Results per jobs page (1000 is what real clients use).
    pub page_size_jobs: u32,
    /// Results per query page (100: the largest size real clients rely on).
    pub page_size_query: u32,
    /// First wait before polling a job, grown ×1.5 per poll.
    pub job_poll_initial: Duration,
    /// Longest wait between two polls.
    pub job_poll_max: Duration,
    /// How often a FAILED/CANCELLED/EXPIRED job is submitted again.
    pub job_max_resubmits: u32,
}

impl GenesysSettings {
    /// Settings with the default paging and polling values.
    pub fn new(api_url: Url, login_url: Url, client_id: String, client_secret: Secret) -> Self {
        GenesysSettings {
            api_url,
            login_url,
            client_id,
            client_secret,
            api: ApiMode::Auto,
            page_size_jobs: 1000,
            page_size_query: 100,
            job_poll_initial: Duration::from_secs(3),
            job_poll_max: Duration::from_secs(30),
            job_max_resubmits: 2,
        }
    }
}

impl GenesysOptions {
    /// The settings, or the fix for the first missing or invalid value.
    pub fn resolve(self) -> Result<GenesysSettings> {
        let client_id = self
            .client_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("GENESYS_CLIENT_ID", "client_id", "genesys"))?;
        let client_secret = self
            .client_secret
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("GENESYS_CLIENT_SECRET", "client_secret", "genesys"))?;
        let region = self.region.unwrap_or_else(|| "mypurecloud.com".into());
        let (default_api, default_login) = region_urls(&region)?;
        let api_url = match self.api_url {
            Some(u) => endpoint("GENESYS_API_URL", &u)?,
            None => default_api,
        };
        let login_url = match self.login_url {
            Some(u) => endpoint("GENESYS_LOGIN_URL", &u)?,
            None => default_login,
        };
        let mut settings = GenesysSettings::new(api_url, login_url, client_id, client_secret);
        if let Some(api) = self.api {
            settings.api = ApiMode::parse(&api)?;
        }
        if let Some(ms) = self.job_poll_ms {
            settings.job_poll_initial = Duration::from_millis(ms);
            settings.job_poll_max = Duration::from_millis(ms.saturating_mul(10));
        }
        Ok(settings)
    }
}

/// The API base and login URLs of a Genesys region given as its domain,
/// e.g. `mypurecloud.com`, `usw2.pure.cloud`, `mypurecloud.com.au`.
pub fn region_urls(region: &str) -> Result<(Url, Url)> {
    let domain = region.trim().trim_end_matches('.').to_ascii_lowercase();
    let hint = "GENESYS_REGION must be the region's domain, e.g. mypurecloud.com, usw2.pure.cloud or mypurecloud.com.au";
    if domain.contains("://") || domain.starts_with("api.") || domain.starts_with("login.") {
        return Err(Error::Config(format!(
            "{hint} (without scheme or api./login. prefix), not {region:?}; full URLs go in GENESYS_API_URL / GENESYS_LOGIN_URL"
        )));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_lowercase()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(Error::Config(format!(
            "{hint}; {region:?} does not look like a domain"
        )));
    }
    let url = |host: &str| {
        Url::parse(&format!("https://{host}.{domain}"))
            .map_err(|e| Error::Config(format!("{hint}; {region:?}: {e}")))
    };
    Ok((url("api")?, url("login")?))
}
