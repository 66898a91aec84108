//! One slice's transform + staging: the [`PageConsumer`] a stream feeds.
//!
//! Parsing and Parquet encoding are CPU work and run on tokio's blocking
//! pool; the reactor only moves bytes (uploads) and waits on the network.
//! Each slice holds one open Parquet file per table, streamed to staging in
//! parts, so memory stays flat however long the interval is.

use crate::connector::{PageConsumer, PageMeta, PageTransform};
use crate::sink::writer::{SliceWriter, TableEncoders};
use crate::sink::{Dataset, StagedFile};
use crate::summary::SliceResult;
use crate::transform::pii::{PiiPolicy, RawRedactor};
use crate::transform::{PageStats, QuarantinedRecord, SeenIds, Table};
use crate::{Error, Interval, Result};
use bytes::Bytes;
use futures::future::BoxFuture;
use std::sync::Arc;

/// CPU-side state of a slice; moved to the blocking pool for each page.
struct Encoder {
    transform: PageTransform,
    seen: SeenIds,
    tables: TableEncoders,
    pii: Arc<PiiPolicy>,
    raw_pii: RawRedactor,
}

/// What the blocking half hands back for one page.
struct Encoded {
    meta: PageMeta,
    chunks: Vec<(Table, Bytes)>,
    quarantined: Vec<QuarantinedRecord>,
    stats: PageStats,
}

impl Encoder {
    fn ingest(&mut self, page: &[u8], slice: &Interval) -> Result<Encoded> {
        let mut out = (self.transform)(page, slice, &mut self.seen)
            .map_err(|e| Error::Upstream(format!("unreadable page for slice {slice}: {e}")))?;
        let mut chunks = Vec::new();
        // The personal-data policy applies here, to the built columns and
        // the raw records, before anything is encoded, staged or logged.
        for batch in out.batches {
            let batch = self.pii.apply(batch);
            if let Some(bytes) = self.tables.encode(&batch)? {
                chunks.push((batch.table, bytes));
            }
        }
        for record in &mut out.quarantined {
            self.raw_pii.redact(record);
        }
        Ok(Encoded {
            meta: out.meta,
            chunks,
            quarantined: out.quarantined,
            stats: out.stats,
        })
    }
}

/// Transforms and stages the pages of one slice.
pub struct SliceConsumer {
    slice: Interval,
    encoder: Option<Box<Encoder>>,
    writer: SliceWriter,
    result: SliceResult,
}

impl SliceConsumer {
    /// A consumer staging `transform`'s batches of `tables` for `slice` in
    /// `dataset`, under the dataset's personal-data policy.
    pub fn new(
        dataset: Dataset,
        slice: Interval,
        stream: &'static str,
        tables: &[Table],
        transform: PageTransform,
    ) -> Self {
        let pii = dataset.pii().clone();
        SliceConsumer {
            slice,
            encoder: Some(Box::new(Encoder {
                transform,
                seen: SeenIds::default(),
                tables: TableEncoders::new(pii.fingerprint()),
                raw_pii: RawRedactor::new(pii.clone(), tables),
                pii,
            })),
            writer: SliceWriter::new(dataset, slice, stream),
            result: SliceResult::default(),
        }
    }

    async fn consume_page(&mut self, page: Bytes) -> Result<PageMeta> {
        let mut encoder = self
            .encoder
            .take()
            .ok_or_else(|| Error::Internal("slice consumer reused after a failure".into()))?;
        let slice = self.slice;
        let (encoder, outcome) = tokio::task::spawn_blocking(move || {
            let r = encoder.ingest(&page, &slice);
            // The batches own their data, so the body can serve the next page.
            crate::http::body_pool::BODIES.recycle(page);
            (encoder, r)
        })
        .await
        .map_err(|e| Error::Internal(format!("transform task failed: {e}")))?;
        self.encoder = Some(encoder);
        let Encoded {
            mut meta,
            chunks,
            quarantined,
            stats,
        } = outcome?;
        // Records already read in this slice are the transform's duplicates.
        let duplicates = usize::try_from(stats.duplicates).unwrap_or(usize::MAX);
        meta.fresh = Some(meta.records.saturating_sub(duplicates));
        for (table, bytes) in chunks {
            self.writer.write(table, &bytes).await?;
        }
        self.record(&quarantined, &stats);
        crate::failpoint::hit(crate::failpoint::points::PAGE);
        Ok(meta)
    }

    fn record(&mut self, quarantined: &[QuarantinedRecord], stats: &PageStats) {
        let r = &mut self.result;
        r.pages += 1;
        r.conversations += stats.conversations;
        r.ended += stats.ended;
        r.duration_ms_sum += stats.duration_ms_sum;
        r.out_of_window += stats.out_of_window;
        r.duplicates += stats.duplicates;
        r.quarantined += quarantined.len() as u64;
        for q in quarantined {
            self.writer.quarantine(q);
        }
        if let Some(first) = quarantined.first() {
            tracing::warn!(slice = %self.slice, records = quarantined.len(), first_reason = %first.reason, "records quarantined");
        }
    }

    /// Closes the slice's files and stages the quarantine file; returns what
    /// to publish and the slice's totals (files are filled in at publish).
    pub async fn finish(mut self, tables: &[Table]) -> Result<(Vec<StagedFile>, SliceResult)> {
        let encoder = self
            .encoder
            .take()
            .ok_or_else(|| Error::Internal("slice consumer finished after a failure".into()))?;
        let tails = tokio::task::spawn_blocking(move || encoder.tables.finish())
            .await
            .map_err(|e| Error::Internal(format!("encoder task failed: {e}")))??;
        let (staged, rows) = self.writer.finish(tails).await?;
        self.result.table_rows = tables
            .iter()
            .map(|t| (t.name().to_string(), rows.get(t).copied().unwrap_or(0)))
            .collect();
        Ok((staged, self.result))
    }

    /// Abandons in-flight uploads (best effort) after a failure.
    pub async fn abort(self) {
        self.writer.abort().await;
    }
}

impl PageConsumer for SliceConsumer {
    fn consume(&mut self, page: Bytes) -> BoxFuture<'_, Result<PageMeta>> {
        use tracing::Instrument;
        let span = tracing::debug_span!("page", n = self.result.pages + 1, bytes = page.len());
        Box::pin(self.consume_page(page).instrument(span))
    }
}
