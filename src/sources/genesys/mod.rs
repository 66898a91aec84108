//! Genesys Cloud conversation details: one slice of time in, raw API pages out.
//!
//! Two ways to read a slice:
//! - **query** (`POST …/details/query`): synchronous, real time, paged by
//!   `pageNumber`; only conversations that *started* on a UTC day the
//!   interval touches.
//! - **jobs** (`…/details/jobs`): asynchronous, meant for bulk export, paged
//!   by cursor, but only complete up to the datalake's availability date.
//!
//! [`Genesys::choose_mode`] picks jobs only for slices the datalake already
//! covers. Pages go to a [`PageConsumer`] untouched: parsing, ownership of
//! conversations (start inside the slice) and de-duplication happen there.

use crate::http::{ApiClient, ApiRequest, HttpError, Token, TokenSource};
use crate::sources::PageConsumer;
use crate::{Error, Interval, Result, Secret};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use std::time::Duration;
use url::Url;

mod hints;
mod jobs;
pub mod model;
mod query;

/// Either permission lets a client read conversation details; Genesys names
/// both in its 403 message, this is the fallback when it does not.
const PERM_DETAILS: &str = "analytics:conversationDetail:view";

/// Path of the conversation-details API below the API base URL.
const DETAILS_PATH: &str = "api/v2/analytics/conversations/details";

/// Endpoints, credentials and paging settings of the Genesys source.
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
            page_size_jobs: 1000,
            page_size_query: 100,
            job_poll_initial: Duration::from_secs(3),
            job_poll_max: Duration::from_secs(30),
            job_max_resubmits: 2,
        }
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

/// `base` with `path` appended below its own path, so a base URL with a
/// prefix (proxies, simulators) keeps it.
pub(crate) fn endpoint(base: &Url, path: &str) -> Result<Url> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|_| Error::Config(format!("{base} cannot be used as a base URL")))?
        .pop_if_empty()
        .extend(path.split('/').filter(|s| !s.is_empty()));
    Ok(url)
}

/// OAuth client-credentials grant: `POST {login}/oauth/token` with HTTP Basic
/// auth and `grant_type=client_credentials` (no refresh token is issued).
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    token_url: Url,
    client_id: String,
    client_secret: Secret,
}

impl ClientCredentials {
    /// Token source for the given login URL and credentials.
    pub fn new(login_url: &Url, client_id: String, client_secret: Secret) -> Result<Self> {
        Ok(ClientCredentials {
            token_url: endpoint(login_url, "oauth/token")?,
            client_id,
            client_secret,
        })
    }

    /// Token source from the settings.
    pub fn from_settings(settings: &GenesysSettings) -> Result<Self> {
        Self::new(
            &settings.login_url,
            settings.client_id.clone(),
            settings.client_secret.clone(),
        )
    }
}

impl TokenSource for ClientCredentials {
    fn fetch<'a>(&'a self, http: &'a reqwest::Client) -> BoxFuture<'a, Result<Token, HttpError>> {
        Box::pin(crate::http::request_token(
            http,
            &self.token_url,
            Some((&self.client_id, &self.client_secret)),
            &[("grant_type", "client_credentials")],
        ))
    }
}

/// Which Genesys API reads a slice (`--genesys-api`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiMode {
    /// Jobs for slices the datalake covers, query for the rest.
    Auto,
    /// Asynchronous details jobs.
    Jobs,
    /// Synchronous details query.
    Query,
}

pub use crate::sources::SliceReport;
pub use hints::GenesysHints;

/// The Genesys source: settings plus the run's shared [`ApiClient`].
#[derive(Debug, Clone)]
pub struct Genesys {
    settings: GenesysSettings,
    client: ApiClient,
}

impl Genesys {
    /// The source; `client` must have been built with [`ClientCredentials`].
    pub fn new(settings: GenesysSettings, client: ApiClient) -> Self {
        Genesys { settings, client }
    }

    /// The shared HTTP client (for its counters).
    pub fn client(&self) -> &ApiClient {
        &self.client
    }

    /// The settings in use.
    pub fn settings(&self) -> &GenesysSettings {
        &self.settings
    }

    fn details_url(&self, rest: &str) -> Result<Url> {
        endpoint(&self.settings.api_url, &format!("{DETAILS_PATH}/{rest}"))
    }

    /// `GET …/details/jobs/availability`: data before this instant is
    /// guaranteed complete in the datalake that jobs read.
    pub async fn data_availability(&self) -> Result<DateTime<Utc>> {
        let req = ApiRequest::get(self.details_url("jobs/availability")?, PERM_DETAILS);
        let resp = self.client.send(&req).await?;
        let v: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::Upstream(format!("jobs/availability answered with invalid JSON: {e}"))
        })?;
        let text = v
            .get("dataAvailabilityDate")
            .and_then(|d| d.as_str())
            .ok_or_else(|| {
                Error::Upstream("jobs/availability answered without dataAvailabilityDate".into())
            })?;
        parse_time(text).ok_or_else(|| {
            Error::Upstream(format!(
                "jobs/availability: unreadable dataAvailabilityDate {text:?}"
            ))
        })
    }

    /// Preflight (`cxetl check`): one details query with `pageSize` 1 over
    /// the hour before `now`, proving the details permission without
    /// reading data. Returns the `totalHits` Genesys reported, if any.
    pub async fn probe_details(&self, now: DateTime<Utc>) -> Result<Option<u64>> {
        let hour = Interval::new(now - chrono::Duration::hours(1), now)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let body = serde_json::json!({
            "interval": hour.to_iso_pair(),
            "order": "asc",
            "orderBy": "conversationStart",
            "paging": { "pageSize": 1, "pageNumber": 1 },
        });
        let req = ApiRequest::post_json(self.details_url("query")?, &body, PERM_DETAILS);
        let resp = self.client.send(&req).await?;
        let v: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| {
            Error::Upstream(format!("details/query answered with invalid JSON: {e}"))
        })?;
        Ok(v.get("totalHits").and_then(|t| t.as_u64()))
    }

    /// Resolves `Auto`: jobs when the whole slice lies before the datalake's
    /// availability date (jobs would otherwise return partial data without
    /// saying so), query otherwise.
    pub fn choose_mode(
        mode: ApiMode,
        slice: &Interval,
        available_until: Option<DateTime<Utc>>,
    ) -> ApiMode {
        match mode {
            ApiMode::Auto => match available_until {
                Some(until) if slice.end() <= until => ApiMode::Jobs,
                _ => ApiMode::Query,
            },
            other => other,
        }
    }

    /// Reads one slice (≤ 1 day) and hands every page to `consumer`, in order.
    /// `Auto` is resolved here with one availability request.
    pub async fn extract_slice(
        &self,
        slice: &Interval,
        mode: ApiMode,
        consumer: &mut dyn PageConsumer,
    ) -> Result<SliceReport> {
        let mode = match mode {
            ApiMode::Auto => Self::choose_mode(mode, slice, Some(self.data_availability().await?)),
            m => m,
        };
        tracing::debug!(slice = %slice, ?mode, "extracting slice");
        match mode {
            ApiMode::Jobs => self.extract_with_jobs(slice, consumer).await,
            _ => self.extract_with_query(slice, consumer).await,
        }
    }
}

/// RFC 3339 as Genesys writes it (`2024-01-01T00:00:00.000Z`).
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests;
