//! The seam between a vendor and the pipeline.
//!
//! A [`Connector`] is one vendor, connected: its shared HTTP client, its
//! named [`Stream`]s and its preflight [`Probe`]s. A stream is either an
//! *interval* stream, which owns the records that start in `[start, end)`
//! and is extracted slice by slice, or a *snapshot* stream, which lists a
//! whole directory as of the run. A stream names its tables, plans its
//! work, extracts raw pages into a [`PageConsumer`] (it never parses
//! records itself), and names the transform that maps a page to record
//! batches. The pipeline drives every stream the same way.

use crate::http::ApiClient;
use crate::transform::{PageError, PageOutput, SeenIds, Table};
use crate::{Error, Interval, Result, Vendor};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use std::sync::Arc;

/// Paging facts read from a page's envelope while it was parsed: what a
/// stream needs to ask for the next page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    /// Cursor for the next page (absent on the last page).
    pub cursor: Option<String>,
    /// The vendor's count of all matching records, when the page says.
    pub total_hits: Option<u64>,
    /// Up to when the vendor's store is complete, when the page says.
    pub data_availability: Option<DateTime<Utc>>,
    /// Records in the page, good and bad (drives short-page detection).
    pub records: usize,
}

/// Receives the raw pages of one slice, in order.
pub trait PageConsumer: Send {
    /// Parses, transforms and stages one page; returns its paging facts.
    /// An `Err` means the page body itself was unreadable (not one bad record:
    /// those are quarantined inside).
    fn consume(&mut self, page: Bytes) -> BoxFuture<'_, Result<PageMeta>>;
}

/// What a stream reports about one unit of work.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SliceReport {
    /// Pages delivered to the consumer.
    pub pages: u64,
    /// Vendor-reported total on the first page.
    pub api_total_hits: Option<u64>,
    /// Asynchronous export jobs submitted.
    pub jobs_submitted: u32,
    /// Export jobs that failed and were submitted again.
    pub jobs_failed: u32,
}

/// How a stream's records belong to runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    /// Owns the records that start in `[start, end)`; extracted per slice.
    Interval,
    /// The whole directory as of the run.
    Snapshot,
}

/// One unit of a stream's plan: a slice (never crossing UTC midnight) and
/// the API that reads it, by the name plans and logs show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// The slice.
    pub interval: Interval,
    /// The API or mode reading it, e.g. `jobs`, `query`, `completed-contacts`.
    pub api: &'static str,
}

/// Parses one raw page into batches for the slice (a stream's transform).
pub type PageTransform = fn(&[u8], &Interval, &mut SeenIds) -> Result<PageOutput, PageError>;

/// A named stream of one vendor.
pub trait Stream: Send + Sync {
    /// The name `--streams` selects it by.
    fn name(&self) -> &'static str;

    /// Interval or snapshot.
    fn kind(&self) -> StreamKind;

    /// The tables it writes, in the order of its transform's batches.
    fn tables(&self) -> &[Table];

    /// Page → batches.
    fn transform(&self) -> PageTransform;

    /// The plan over `slices` without any request (`--dry-run`): choices
    /// that need the vendor stay as requested (e.g. `auto`).
    fn plan_offline(&self, slices: &[Interval]) -> Vec<Work>;

    /// The plan over `slices`; may ask the vendor (e.g. how far its export
    /// store is complete).
    fn plan<'a>(&'a self, slices: &'a [Interval]) -> BoxFuture<'a, Result<Vec<Work>>>;

    /// Extracts one unit of work into `consumer`, page by page, in order.
    fn extract<'a>(
        &'a self,
        work: &'a Work,
        consumer: &'a mut dyn PageConsumer,
    ) -> BoxFuture<'a, Result<SliceReport>>;
}

/// One preflight request of `cxetl check`: its name and what it proves.
pub struct Probe {
    /// Shown in the report, e.g. `conversation details (query)`.
    pub name: &'static str,
    /// Resolves to the detail line on success.
    pub run: BoxFuture<'static, Result<String>>,
}

/// What a failed check tells the user to fix, in the vendor's words.
#[derive(Debug, Clone, Copy)]
pub struct Fixes {
    /// Where the credentials are set.
    pub credentials: &'static str,
    /// Where the endpoints are set.
    pub endpoints: &'static str,
    /// How to grant a missing permission.
    pub permission: &'static str,
}

/// A vendor, connected: building one touches no network.
pub trait Connector: Send + Sync {
    /// The vendor (the `vendor=` partition).
    fn vendor(&self) -> Vendor;

    /// The HTTP client every stream shares (one token, one request budget).
    fn client(&self) -> &ApiClient;

    /// Every stream, in extraction order.
    fn streams(&self) -> Vec<Arc<dyn Stream>>;

    /// The endpoints in use, for `check`'s config line.
    fn endpoints(&self) -> String;

    /// Who issues tokens, for `check`'s token line.
    fn token_issuer(&self) -> String;

    /// One cheap request per permission the streams need.
    fn probes(&self) -> Vec<Probe>;

    /// How to fix what a probe found.
    fn fixes(&self) -> Fixes;
}

/// The streams called `names` (all of them for `None`), in the connector's
/// order; an unknown name is a configuration error listing the valid ones.
pub fn select_streams(
    connector: &dyn Connector,
    names: Option<&[String]>,
) -> Result<Vec<Arc<dyn Stream>>> {
    let all = connector.streams();
    let Some(names) = names else {
        return Ok(all);
    };
    let valid: Vec<&str> = all.iter().map(|s| s.name()).collect();
    for name in names {
        if !valid.contains(&name.trim()) {
            return Err(Error::Config(format!(
                "--streams: {} has no stream {name:?}; its streams are {}",
                connector.vendor(),
                valid.join(", ")
            )));
        }
    }
    if names.is_empty() {
        return Err(Error::Config(format!(
            "--streams is empty; {}'s streams are {}",
            connector.vendor(),
            valid.join(", ")
        )));
    }
    Ok(all
        .into_iter()
        .filter(|s| names.iter().any(|n| n.trim() == s.name()))
        .collect())
}
