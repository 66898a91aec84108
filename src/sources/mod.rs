//! Vendor sources: one module per platform. A source turns a slice of time
//! into raw API pages and hands each page to a [`PageConsumer`]; it never
//! parses records itself. The consumer (transform + sink for that slice)
//! parses the page once and reports back the paging facts the source needs
//! to ask for the next page.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

pub mod cxone;
pub mod genesys;

/// Paging facts read from a page's envelope while it was parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    /// Genesys jobs: cursor for the next results page (absent on the last page).
    pub cursor: Option<String>,
    /// Genesys query: `totalHits`; CXone: `totalRecords`.
    pub total_hits: Option<u64>,
    /// Genesys jobs: `dataAvailabilityDate` of the results page.
    pub data_availability: Option<DateTime<Utc>>,
    /// Records in the page, good and bad (drives short-page detection).
    pub records: usize,
}

/// Receives the raw pages of one slice, in order.
pub trait PageConsumer: Send {
    /// Parses, transforms and stages one page; returns its paging facts.
    /// An `Err` means the page body itself was unreadable (not one bad record:
    /// those are quarantined inside).
    fn consume(&mut self, page: Bytes) -> BoxFuture<'_, crate::Result<PageMeta>>;
}

/// What a source reports about one slice's extraction.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SliceReport {
    /// Pages delivered to the consumer.
    pub pages: u64,
    /// Vendor-reported total on the first page (Genesys `totalHits`, CXone `totalRecords`).
    pub api_total_hits: Option<u64>,
    /// Genesys async jobs submitted.
    pub jobs_submitted: u32,
    /// Genesys async jobs that ended FAILED/CANCELLED/EXPIRED.
    pub jobs_failed: u32,
}
