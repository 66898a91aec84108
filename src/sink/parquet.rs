//! Streaming Parquet encoding for one table file.
//!
//! Encoding is CPU work: callers run [`TableWriter::write`] on the blocking
//! pool. The encoded bytes are drained after every batch and handed to the
//! async uploader, so a file never sits whole in memory.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

/// Rows per row group at most: large enough for good compression and fast scans.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Encoded bytes per row group at most: bounds the memory of each open file
/// (a wide table such as sessions reaches this long before the row limit).
/// Every slice in flight keeps one row group open per table, so this is the
/// main knob of peak RSS: a 1M-conversation run peaked at 480 MB with 4 MB
/// row groups and 384 MB with 2 MB, and row groups still hold 25k–128k rows,
/// the range DuckDB itself writes (BENCHMARKS.md).
pub const ROW_GROUP_BYTES: usize = 2 << 20;

/// Uncompressed bytes per data page at most (see `properties`).
pub const DATA_PAGE_BYTES: usize = 64 << 10;

/// The key-value metadata key holding the PII policy's fingerprint.
pub const PII_METADATA_KEY: &str = "cxetl.pii";

/// The `cxetl.pii` fingerprint a file's footer records, if any.
pub fn pii_fingerprint(meta: &parquet::file::metadata::FileMetaData) -> Option<String> {
    meta.key_value_metadata()?
        .iter()
        .find(|e| e.key == PII_METADATA_KEY)?
        .value
        .clone()
}

fn properties(pii_fingerprint: Option<&str>) -> WriterProperties {
    WriterProperties::builder()
        // Evidence of the personal-data policy the values went through.
        .set_key_value_metadata(
            pii_fingerprint.map(|fp| vec![KeyValue::new(PII_METADATA_KEY.into(), fp.to_string())]),
        )
        // zstd 1 encodes ~1.7x faster than level 3 with files ~1 % larger,
        // and chunk-level statistics are what DuckDB and Spark use to skip
        // row groups (BENCHMARKS.md, "writer settings").
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(1).expect("valid zstd level"),
        ))
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        // Every open column holds its dictionary and current page in memory
        // (~1 MB each by default); with ~90 columns per slice and several
        // slices in flight that dominated peak RSS. Without dictionaries the
        // files were also 8 % smaller and encoding 1.6x faster on this data
        // (BENCHMARKS.md), since zstd already captures the repetition.
        .set_dictionary_enabled(false)
        // 64 KB pages transform + write ~6 % faster than 256 KB (zstd's
        // tables stay in cache) for files 0.5 % larger; 32 KB pages were
        // slower again (BENCHMARKS.md, 2026-11-25 session 3).
        .set_data_page_size_limit(DATA_PAGE_BYTES)
        .set_created_by(concat!("cxetl ", env!("CARGO_PKG_VERSION")).to_string())
        .build()
}

/// An open Parquet file being encoded into a memory buffer that the caller drains.
pub struct TableWriter {
    writer: ArrowWriter<Vec<u8>>,
    rows: u64,
}

impl TableWriter {
    /// Starts a file with the table's declared schema, recording the PII
    /// policy's fingerprint (`None`: a rewrite of a file that had none).
    pub fn new(schema: SchemaRef, pii_fingerprint: Option<&str>) -> parquet::errors::Result<Self> {
        Ok(TableWriter {
            writer: ArrowWriter::try_new(Vec::new(), schema, Some(properties(pii_fingerprint)))?,
            rows: 0,
        })
    }

    /// Encodes a batch; returns the bytes that are ready to upload (often none
    /// until a row group fills).
    pub fn write(&mut self, batch: &RecordBatch) -> parquet::errors::Result<Option<Bytes>> {
        self.writer.write(batch)?;
        self.rows += batch.num_rows() as u64;
        Ok(self.drain())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes the footer; returns the last bytes of the file.
    pub fn finish(mut self) -> parquet::errors::Result<Bytes> {
        self.writer.finish()?;
        Ok(Bytes::from(std::mem::take(self.writer.inner_mut())))
    }

    fn drain(&mut self) -> Option<Bytes> {
        // The writer counts its own offsets, so taking what reached the
        // buffer so far does not disturb the file it is building.
        let buf = self.writer.inner_mut();
        (!buf.is_empty()).then(|| Bytes::from(std::mem::take(buf)))
    }
}
