//! Genesys Cloud: everything cxetl knows about it lives in this folder:
//! settings ([`settings`]), the client-credentials grant ([`auth`]), the
//! analytics endpoints and their paging (here, [`jobs`], [`query`]), the
//! record model and its transform ([`model`], [`transform`]), the
//! rate-limit and permission hints, and the streams and preflight probes
//! behind the connector seam ([`connector`]).
//!
//! Conversation details come two ways:
//! - **query** (`POST …/details/query`): synchronous, real time, paged by
//!   `pageNumber`; only conversations that *started* on a UTC day the
//!   interval touches.
//! - **jobs** (`…/details/jobs`): asynchronous, meant for bulk export, paged
//!   by cursor, but only complete up to the datalake's availability date.
//!
//! [`Genesys::choose_mode`] picks jobs only for slices the datalake already
//! covers. Pages go to a [`PageConsumer`] untouched: parsing, ownership of
//! conversations (start inside the slice) and de-duplication happen there.

use crate::connector::{PageConsumer, SliceReport};
use crate::http::{ApiClient, ApiRequest};
use crate::{Error, Interval, Result};
use chrono::{DateTime, Utc};
use settings::{ApiMode, GenesysSettings};
use url::Url;

pub mod auth;
pub mod connector;
mod directories;
pub mod hints;
mod jobs;
pub mod model;
mod query;
pub mod settings;
pub mod transform;

/// Either permission lets a client read conversation details; Genesys names
/// both in its 403 message, this is the fallback when it does not.
const PERM_DETAILS: &str = "analytics:conversationDetail:view";

/// Path of the conversation-details API below the API base URL.
const DETAILS_PATH: &str = "api/v2/analytics/conversations/details";

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

/// The Genesys API of one run: settings plus the run's shared [`ApiClient`].
#[derive(Debug, Clone)]
pub struct Genesys {
    settings: GenesysSettings,
    client: ApiClient,
}

impl Genesys {
    /// The API; `client` must have been built with [`auth::ClientCredentials`].
    pub fn new(settings: GenesysSettings, client: ApiClient) -> Self {
        Genesys { settings, client }
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
