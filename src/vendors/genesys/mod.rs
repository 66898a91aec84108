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

mod activity;
pub mod auth;
pub mod connector;
mod detail_stream;
mod directories;
pub mod hints;
mod jobs;
pub mod model;
mod query;
pub mod settings;
pub mod transform;

/// One of Genesys's analytics detail APIs: the same query, jobs and
/// availability endpoints below a different path, for conversations and
/// for users' presence and routing status (fact sheet §2).
#[derive(Debug)]
pub(crate) struct Details {
    /// Below the API base URL.
    path: &'static str,
    /// Named on a 403 when Genesys does not name one (it names both
    /// conversation permissions in its message).
    permission: &'static str,
    /// `orderBy` of queries and jobs; user details have none.
    order_by: Option<&'static str>,
    /// Conversation jobs take `startOfDayIntervalMatching`; user jobs do not.
    start_of_day_matching: Option<bool>,
    /// User details store a period on its start day and its end day, so
    /// they are queried by whole UTC days and owned by start (§2.2).
    whole_days: bool,
    /// In messages: `details job`, `user details job`.
    what: &'static str,
}

pub(crate) const CONVERSATION_DETAILS: Details = Details {
    path: "api/v2/analytics/conversations/details",
    permission: "analytics:conversationDetail:view",
    order_by: Some("conversationStart"),
    // Lifetime-overlap semantics; the consumer keeps only conversations
    // that start inside the slice.
    start_of_day_matching: Some(false),
    whole_days: false,
    what: "details",
};

pub(crate) const USER_DETAILS: Details = Details {
    path: "api/v2/analytics/users/details",
    permission: "analytics:userDetail:view",
    order_by: None,
    start_of_day_matching: None,
    whole_days: true,
    what: "user details",
};

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
    details: &'static Details,
}

impl Genesys {
    /// The API; `client` must have been built with [`auth::ClientCredentials`].
    pub fn new(settings: GenesysSettings, client: ApiClient) -> Self {
        Genesys {
            settings,
            client,
            details: &CONVERSATION_DETAILS,
        }
    }

    /// The same API handle on another detail API.
    pub(crate) fn on(&self, details: &'static Details) -> Genesys {
        Genesys {
            details,
            ..self.clone()
        }
    }

    fn details_url(&self, rest: &str) -> Result<Url> {
        endpoint(
            &self.settings.api_url,
            &format!("{}/{rest}", self.details.path),
        )
    }

    /// The body every query and job of this API starts from: the interval,
    /// ascending, and the API's own `orderBy` when it has one.
    fn query_body(&self, interval: &Interval) -> serde_json::Value {
        let mut body = serde_json::json!({"interval": interval.to_iso_pair(), "order": "asc"});
        if let Some(order_by) = self.details.order_by {
            body["orderBy"] = serde_json::json!(order_by);
        }
        body
    }

    /// The interval a slice is queried with: the slice itself, or its whole
    /// UTC day for user details.
    fn window(&self, slice: &Interval) -> Interval {
        if !self.details.whole_days {
            return *slice;
        }
        Interval::day(slice.start_date())
    }

    /// `GET …/details/jobs/availability`: data before this instant is
    /// guaranteed complete in the datalake that jobs read.
    pub async fn data_availability(&self) -> Result<DateTime<Utc>> {
        let req = ApiRequest::get(
            self.details_url("jobs/availability")?,
            self.details.permission,
        );
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
        let mut body = self.query_body(&hour);
        body["paging"] = serde_json::json!({ "pageSize": 1, "pageNumber": 1 });
        let req = ApiRequest::post_json(self.details_url("query")?, &body, self.details.permission);
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
