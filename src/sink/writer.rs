//! One slice's output, one file per table, each opened on its first batch
//! (as delta-rs's `DeltaWriter` opens a writer per partition lazily), and
//! its quarantine file. Finishing returns the staged files; publishing them
//! is a separate step ([`super::Dataset::publish`]).
//!
//! The writer has two halves so that CPU work stays off the reactor:
//! [`TableEncoders`] encodes batches on the blocking pool, and
//! [`SliceWriter`] streams the encoded bytes to staging.

use super::parquet::TableWriter;
use super::{Dataset, StagedFile, StagedUpload};
use crate::transform::{QuarantinedRecord, Table, TableBatch};
use crate::{Interval, Result};
use bytes::Bytes;
use std::collections::BTreeMap;

/// The CPU half: one open Parquet encoder per table that has rows.
pub struct TableEncoders {
    open: BTreeMap<Table, TableWriter>,
    pii_fingerprint: std::sync::Arc<str>,
}

/// The last bytes of one table's file, with its row count.
pub struct EncodedTail {
    /// Which table.
    pub table: Table,
    /// Rows in the whole file.
    pub rows: u64,
    /// The footer and whatever was still buffered.
    pub bytes: Bytes,
}

impl TableEncoders {
    /// Encoders whose files record `pii_fingerprint` (`cxetl.pii`).
    pub fn new(pii_fingerprint: &str) -> Self {
        TableEncoders {
            open: BTreeMap::new(),
            pii_fingerprint: pii_fingerprint.into(),
        }
    }

    /// Encodes `batch`; the bytes ready to upload, if a row group filled.
    pub fn encode(&mut self, batch: &TableBatch) -> Result<Option<Bytes>> {
        if batch.batch.num_rows() == 0 {
            return Ok(None);
        }
        let writer = match self.open.entry(batch.table) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(TableWriter::new(
                batch.table.schema(),
                Some(&self.pii_fingerprint),
            )?),
        };
        Ok(writer.write(&batch.batch)?)
    }

    /// Closes every open file.
    pub fn finish(self) -> Result<Vec<EncodedTail>> {
        self.open
            .into_iter()
            .map(|(table, w)| {
                let rows = w.rows();
                Ok(EncodedTail {
                    table,
                    rows,
                    bytes: w.finish()?,
                })
            })
            .collect()
    }
}

/// The I/O half: one staged upload per table, begun on its first bytes,
/// and the slice's quarantine lines.
pub struct SliceWriter {
    dataset: Dataset,
    slice: Interval,
    stream: &'static str,
    uploads: BTreeMap<Table, StagedUpload>,
    quarantine: Vec<u8>,
    quarantined: u64,
}

impl SliceWriter {
    /// A writer for `stream`'s files of `slice` in `dataset`.
    pub fn new(dataset: Dataset, slice: Interval, stream: &'static str) -> Self {
        SliceWriter {
            dataset,
            slice,
            stream,
            uploads: BTreeMap::new(),
            quarantine: Vec::new(),
            quarantined: 0,
        }
    }

    /// Appends encoded bytes to `table`'s staged file.
    pub async fn write(&mut self, table: Table, bytes: &[u8]) -> Result<()> {
        let upload = match self.uploads.entry(table) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let path = self.dataset.data_file(table, &self.slice);
                e.insert(self.dataset.begin(path).await?)
            }
        };
        upload.write(bytes).await
    }

    /// Adds a record to the slice's quarantine file.
    pub fn quarantine(&mut self, record: &QuarantinedRecord) {
        self.quarantined += 1;
        append_quarantine_line(&mut self.quarantine, &self.slice, record);
    }

    /// Writes the tails, completes every upload and stages the quarantine
    /// file; returns what to publish and the rows per table.
    pub async fn finish(
        mut self,
        tails: Vec<EncodedTail>,
    ) -> Result<(Vec<StagedFile>, BTreeMap<Table, u64>)> {
        let mut staged = Vec::new();
        let mut rows = BTreeMap::new();
        for tail in tails {
            self.write(tail.table, &tail.bytes).await?;
            let upload = self
                .uploads
                .remove(&tail.table)
                .expect("an upload exists once bytes were written");
            staged.push(upload.finish(tail.rows).await?);
            rows.insert(tail.table, tail.rows);
        }
        if !self.quarantine.is_empty() {
            let path = self.dataset.quarantine_file(self.stream, &self.slice);
            let data = Bytes::from(std::mem::take(&mut self.quarantine));
            staged.push(
                self.dataset
                    .stage_bytes(path, data, self.quarantined)
                    .await?,
            );
        }
        Ok((staged, rows))
    }

    /// Abandons in-flight uploads (best effort) after a failure.
    pub async fn abort(self) {
        for (_, upload) in self.uploads {
            upload.abort().await;
        }
    }
}

/// One JSON line: the reason, where it came from, the start that owns it
/// (when readable; re-slicing follows it) and the raw record verbatim.
fn append_quarantine_line(out: &mut Vec<u8>, slice: &Interval, q: &QuarantinedRecord) {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        reason: &'a str,
        slice_start: String,
        slice_end: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        started_at: Option<String>,
        record: &'a serde_json::value::RawValue,
    }
    let record = serde_json::value::RawValue::from_string(q.raw.clone()).unwrap_or_else(|_| {
        serde_json::value::to_raw_value(&q.raw).expect("a string always serialises")
    });
    let line = Line {
        reason: &q.reason,
        slice_start: crate::interval::fmt_rfc3339(slice.start()),
        slice_end: crate::interval::fmt_rfc3339(slice.end()),
        started_at: q.started_at.map(crate::interval::fmt_rfc3339),
        record: &record,
    };
    serde_json::to_writer(&mut *out, &line).expect("writing JSON to a Vec cannot fail");
    out.push(b'\n');
}
