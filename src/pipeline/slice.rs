//! One slice's transform + staging: the [`PageConsumer`] that a source feeds.
//!
//! Parsing and Parquet encoding are CPU work and run on tokio's blocking
//! pool; the reactor only moves bytes (uploads) and waits on the network.
//! Each slice holds one open Parquet file per table, streamed to staging in
//! parts, so memory stays flat however long the interval is.

use crate::sink::parquet::TableWriter;
use crate::sink::{Dataset, StagedFile, StagedUpload};
use crate::sources::{PageConsumer, PageMeta};
use crate::summary::SliceResult;
use crate::transform::{PageOutput, PageStats, QuarantinedRecord, SeenIds, Table};
use crate::{Error, Interval, Result};
use bytes::Bytes;
use futures::future::BoxFuture;

/// Parses one raw page into batches for the slice (a vendor's transform).
pub type PageTransform = fn(
    &[u8],
    &Interval,
    &mut SeenIds,
) -> std::result::Result<PageOutput, crate::transform::PageError>;

/// CPU-side state of a slice; moved to the blocking pool for each page.
struct Encoder {
    tables: &'static [Table],
    transform: PageTransform,
    seen: SeenIds,
    writers: Vec<Option<TableWriter>>,
}

/// What the blocking half hands back for one page.
struct Encoded {
    meta: PageMeta,
    chunks: Vec<(usize, Bytes)>,
    quarantined: Vec<QuarantinedRecord>,
    stats: PageStats,
}

impl Encoder {
    fn ingest(&mut self, page: &[u8], slice: &Interval) -> Result<Encoded> {
        let out = (self.transform)(page, slice, &mut self.seen)
            .map_err(|e| Error::Upstream(format!("unreadable page for slice {slice}: {e}")))?;
        let mut chunks = Vec::new();
        for tb in &out.batches {
            if tb.batch.num_rows() == 0 {
                continue;
            }
            let idx = self
                .tables
                .iter()
                .position(|t| *t == tb.table)
                .ok_or_else(|| {
                    Error::Internal(format!(
                        "transform produced unexpected table {}",
                        tb.table.name()
                    ))
                })?;
            let writer = match &mut self.writers[idx] {
                Some(w) => w,
                slot => slot.insert(TableWriter::new(tb.table.schema())?),
            };
            if let Some(bytes) = writer.write(&tb.batch)? {
                chunks.push((idx, bytes));
            }
        }
        Ok(Encoded {
            meta: out.meta,
            chunks,
            quarantined: out.quarantined,
            stats: out.stats,
        })
    }

    /// Closes every open file: `(table index, rows, last bytes)`.
    fn finish(self) -> Result<Vec<(usize, u64, Bytes)>> {
        let mut tails = Vec::new();
        for (idx, writer) in self.writers.into_iter().enumerate() {
            if let Some(w) = writer {
                let rows = w.rows();
                tails.push((idx, rows, w.finish()?));
            }
        }
        Ok(tails)
    }
}

/// Transforms and stages the pages of one slice.
pub struct SliceConsumer {
    dataset: Dataset,
    slice: Interval,
    tables: &'static [Table],
    encoder: Option<Box<Encoder>>,
    uploads: Vec<Option<StagedUpload>>,
    quarantine: Vec<u8>,
    result: SliceResult,
}

impl SliceConsumer {
    /// A consumer writing `tables` (in the vendor's fixed order) for `slice`.
    pub fn new(
        dataset: Dataset,
        slice: Interval,
        tables: &'static [Table],
        transform: PageTransform,
    ) -> Self {
        SliceConsumer {
            dataset,
            slice,
            tables,
            encoder: Some(Box::new(Encoder {
                tables,
                transform,
                seen: SeenIds::default(),
                writers: tables.iter().map(|_| None).collect(),
            })),
            uploads: tables.iter().map(|_| None).collect(),
            quarantine: Vec::new(),
            result: SliceResult::default(),
        }
    }

    async fn upload(&mut self, idx: usize, bytes: &[u8]) -> Result<()> {
        if self.uploads[idx].is_none() {
            let path = self.dataset.data_file(self.tables[idx].name(), &self.slice);
            self.uploads[idx] = Some(self.dataset.begin(path).await?);
        }
        self.uploads[idx]
            .as_mut()
            .expect("upload just created")
            .write(bytes)
            .await
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
        let encoded = outcome?;
        let Encoded {
            meta,
            chunks,
            quarantined,
            stats,
        } = encoded;
        for (idx, bytes) in chunks {
            self.upload(idx, &bytes).await?;
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
        for q in quarantined {
            r.quarantined += 1;
            append_quarantine_line(&mut self.quarantine, &self.slice, q);
        }
        if let Some(first) = quarantined.first() {
            tracing::warn!(slice = %self.slice, records = quarantined.len(), first_reason = %first.reason, "records quarantined");
        }
    }

    /// Closes the slice's files and stages the quarantine file; returns what
    /// to publish and the slice's totals (files are filled in at publish).
    pub async fn finish(mut self) -> Result<(Vec<StagedFile>, SliceResult)> {
        let encoder = self
            .encoder
            .take()
            .ok_or_else(|| Error::Internal("slice consumer finished after a failure".into()))?;
        let tails = tokio::task::spawn_blocking(move || encoder.finish())
            .await
            .map_err(|e| Error::Internal(format!("encoder task failed: {e}")))??;
        let mut staged = Vec::new();
        let mut rows_by_table = vec![0u64; self.tables.len()];
        for (idx, rows, tail) in tails {
            self.upload(idx, &tail).await?;
            rows_by_table[idx] = rows;
            let upload = self.uploads[idx]
                .take()
                .expect("upload exists for a finished writer");
            staged.push(upload.finish(rows).await?);
        }
        if !self.quarantine.is_empty() {
            let path = self.dataset.quarantine_file(&self.slice);
            let data = Bytes::from(std::mem::take(&mut self.quarantine));
            staged.push(
                self.dataset
                    .stage_bytes(path, data, self.result.quarantined)
                    .await?,
            );
        }
        self.result.table_rows = self
            .tables
            .iter()
            .zip(rows_by_table)
            .map(|(t, rows)| (t.name().to_string(), rows))
            .collect();
        Ok((staged, self.result))
    }

    /// Abandons in-flight uploads (best effort) after a failure.
    pub async fn abort(mut self) {
        for upload in self.uploads.iter_mut().filter_map(Option::take) {
            upload.abort().await;
        }
    }
}

impl PageConsumer for SliceConsumer {
    fn consume(&mut self, page: Bytes) -> BoxFuture<'_, Result<PageMeta>> {
        use tracing::Instrument;
        let span = tracing::debug_span!("page", n = self.result.pages + 1, bytes = page.len());
        Box::pin(self.consume_page(page).instrument(span))
    }
}

/// One JSON line: the reason, where it came from, and the raw record verbatim.
fn append_quarantine_line(out: &mut Vec<u8>, slice: &Interval, q: &QuarantinedRecord) {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        reason: &'a str,
        slice_start: String,
        slice_end: String,
        record: &'a serde_json::value::RawValue,
    }
    let record = serde_json::value::RawValue::from_string(q.raw.clone()).unwrap_or_else(|_| {
        serde_json::value::to_raw_value(&q.raw).expect("a string always serialises")
    });
    let line = Line {
        reason: &q.reason,
        slice_start: crate::interval::fmt_rfc3339(slice.start()),
        slice_end: crate::interval::fmt_rfc3339(slice.end()),
        record: &record,
    };
    serde_json::to_writer(&mut *out, &line).expect("writing JSON to a Vec cannot fail");
    out.push(b'\n');
}
