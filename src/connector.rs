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
    /// Of those, records not seen before in this slice, when the consumer
    /// tracks it: a page of none means the server is repeating itself.
    pub fresh: Option<usize>,
}

/// Pages a slice may take at most when the server reports no totals: a
/// day of the busiest contact center fits many times over, a looping
/// server does not.
pub const MAX_PAGES_WITHOUT_TOTALS: u64 = 100_000;

/// Ends paging that would never end: a cursor seen before, pages that
/// repeat records already read, or more pages than the vendor's own totals
/// allow. Every stream's paging loop feeds each page to one guard.
#[derive(Debug)]
pub struct PageGuard {
    what: String,
    page_size: u64,
    pages: u64,
    records: u64,
    total: Option<u64>,
    stale_pages: u32,
    cursors: std::collections::HashSet<u64>,
}

/// Consecutive pages without a fresh record that end the slice.
const STALE_PAGES: u32 = 2;

impl PageGuard {
    /// A guard for the pages of `what` (named in errors), `page_size` records each.
    pub fn new(what: impl Into<String>, page_size: u32) -> Self {
        PageGuard {
            what: what.into(),
            page_size: u64::from(page_size.max(1)),
            pages: 0,
            records: 0,
            total: None,
            stale_pages: 0,
            cursors: Default::default(),
        }
    }

    /// Accounts for one consumed page; an error when paging must stop.
    pub fn page(&mut self, meta: &PageMeta) -> Result<()> {
        self.pages += 1;
        self.records += meta.records as u64;
        if self.total.is_none() {
            self.total = meta.total_hits;
        }
        if meta.records > 0 && meta.fresh == Some(0) {
            self.stale_pages += 1;
            if self.stale_pages >= STALE_PAGES {
                return Err(self.stop(format!(
                    "{STALE_PAGES} pages in a row repeated records already read"
                )));
            }
        } else {
            self.stale_pages = 0;
        }
        let ceiling = match self.total {
            // Room for records that shift between pages while paging.
            Some(total) => total.div_ceil(self.page_size) + 10 + total / self.page_size / 10,
            None => MAX_PAGES_WITHOUT_TOTALS,
        };
        if self.pages > ceiling {
            return Err(self.stop(match self.total {
                Some(total) => format!(
                    "{} pages ({} records) for a reported total of {total}",
                    self.pages, self.records
                ),
                None => format!("more than {ceiling} pages"),
            }));
        }
        Ok(())
    }

    /// Accounts for the cursor of the next page; an error on a cycle.
    pub fn cursor(&mut self, cursor: &str) -> Result<()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        cursor.hash(&mut h);
        if !self.cursors.insert(h.finish()) {
            return Err(self.stop("the cursor returned to one already followed".into()));
        }
        Ok(())
    }

    fn stop(&self, what_happened: String) -> Error {
        Error::Upstream(format!(
            "{}: stopped paging after {} pages: {what_happened}; the server is looping, re-run later or report it to the vendor",
            self.what, self.pages
        ))
    }
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

impl Work {
    /// The same API for every slice.
    pub fn each(slices: &[Interval], api: &'static str) -> Vec<Work> {
        slices
            .iter()
            .map(|&interval| Work { interval, api })
            .collect()
    }
}

/// Parses one raw page into batches for the slice (a stream's transform);
/// shared, since it runs on the blocking pool for every page.
pub type PageTransform =
    Arc<dyn Fn(&[u8], &Interval, &mut SeenIds) -> Result<PageOutput, PageError> + Send + Sync>;

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
    /// store is complete). By default the offline plan.
    fn plan<'a>(&'a self, slices: &'a [Interval]) -> BoxFuture<'a, Result<Vec<Work>>> {
        Box::pin(async move { Ok(self.plan_offline(slices)) })
    }

    /// Extracts one unit of work into `consumer`, page by page, in order.
    fn extract<'a>(
        &'a self,
        work: &'a Work,
        consumer: &'a mut dyn PageConsumer,
    ) -> BoxFuture<'a, Result<SliceReport>>;
}

/// One preflight request of `cxetl check`: its name and what it proves.
pub struct Probe {
    /// The stream whose permission it proves (`check --streams` selects).
    pub stream: &'static str,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(records: usize, fresh: usize, total: Option<u64>) -> PageMeta {
        PageMeta {
            records,
            fresh: Some(fresh),
            total_hits: total,
            ..PageMeta::default()
        }
    }

    #[test]
    fn repeated_pages_stop_paging_but_one_shifted_page_does_not() {
        let mut g = PageGuard::new("query", 100);
        g.page(&page(100, 100, None)).unwrap();
        g.page(&page(100, 0, None)).unwrap();
        g.page(&page(100, 40, None)).unwrap();
        g.page(&page(100, 0, None)).unwrap();
        let e = g.page(&page(100, 0, None)).unwrap_err().to_string();
        assert!(
            e.contains("repeated records") && e.contains("after 5 pages"),
            "{e}"
        );
        // A consumer that does not track freshness is never judged by it.
        let mut g = PageGuard::new("query", 100);
        for _ in 0..10 {
            g.page(&PageMeta {
                records: 100,
                ..PageMeta::default()
            })
            .unwrap();
        }
    }

    #[test]
    fn totals_bound_the_pages() {
        let mut g = PageGuard::new("contacts", 10);
        // totalRecords 5 with full pages: allowed 1 + 10 slack pages, then stop.
        for _ in 0..11 {
            g.page(&page(10, 10, Some(5))).unwrap();
        }
        let e = g.page(&page(10, 10, Some(5))).unwrap_err().to_string();
        assert!(e.contains("reported total of 5"), "{e}");
    }

    #[test]
    fn a_cursor_cycle_stops_paging() {
        let mut g = PageGuard::new("job", 1000);
        g.cursor("A").unwrap();
        g.cursor("B").unwrap();
        assert!(g
            .cursor("A")
            .unwrap_err()
            .to_string()
            .contains("cursor returned"));
    }
}
