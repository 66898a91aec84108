//! Re-slicing: when a new slice cuts through a file written by an earlier
//! run with other slicing (a daily file, then an hourly re-run inside that
//! day), the rows of the earlier file that lie outside the new slice are
//! rewritten into files named for the remaining pieces, so every
//! conversation stays in exactly one file.
//!
//! Rows are assigned by their owner's start, as `schemas/` declares it: a
//! table with a `time_column` maps each owner (the first natural-key column)
//! to its start, and every table of the group looks its rows' owner up by
//! that first key column. Quarantine lines carry their record's start. The
//! earlier file is read from a local temporary copy and the pieces are
//! encoded on the blocking pool, so memory stays bounded whatever the file
//! size.

use super::parquet::TableWriter;
use super::{Dataset, StagedFile};
use crate::transform::Table;
use crate::{Error, Interval, Result};
use arrow::array::{Array, AsArray, BooleanArray, RecordBatch};
use arrow::compute::filter_record_batch;
use arrow::datatypes::{DataType, Int64Type, TimestampMicrosecondType};
use futures::StreamExt;
use object_store::path::Path;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::HashMap;
use std::io::Write;

/// One published file of an earlier interval.
#[derive(Debug, Clone)]
pub enum Member {
    /// A table's Parquet file.
    Table(Table, Path),
    /// The quarantine JSON lines.
    Quarantine(Path),
}

impl Member {
    /// Where the file lives.
    pub fn path(&self) -> &Path {
        match self {
            Member::Table(_, p) | Member::Quarantine(p) => p,
        }
    }
}

/// `outer` minus `cut`: zero, one or two intervals.
pub fn remainder(outer: &Interval, cut: &Interval) -> Vec<Interval> {
    let mut out = Vec::new();
    if outer.start() < cut.start() {
        out.extend(Interval::new(outer.start(), cut.start().min(outer.end())).ok());
    }
    if cut.end() < outer.end() {
        out.extend(Interval::new(cut.end().max(outer.start()), outer.end()).ok());
    }
    out
}

/// Rewrites the rows of `members` (all of interval `outer`) that lie
/// outside `cut` into staged files for the pieces of `outer` left over.
pub async fn split(
    dataset: &Dataset,
    outer: Interval,
    members: &[Member],
    cut: &Interval,
    stream: &str,
) -> Result<Vec<StagedFile>> {
    let pieces = remainder(&outer, cut);
    tracing::info!(earlier = %outer, new = %cut, pieces = pieces.len(), "re-slicing an earlier interval");
    let scratch = Scratch::new()?;
    // Which piece (if any) each owner goes to, from the tables that carry its start.
    let mut owner: HashMap<String, Option<usize>> = HashMap::new();
    for member in members {
        let Member::Table(table, path) = member else {
            continue;
        };
        // Only a table keyed by its owner alone says where that owner goes;
        // rows keyed further (activity periods) place themselves.
        let Some(time) = table
            .time_column()
            .filter(|_| table.natural_key().len() == 1)
        else {
            continue;
        };
        let local = scratch.download(dataset, path).await?;
        let (key, pieces2) = (owner_column(*table).to_string(), pieces.clone());
        let found = tokio::task::spawn_blocking(move || owners(&local, &key, time, &pieces2))
            .await
            .map_err(|e| Error::Internal(format!("re-slice task: {e}")))??;
        owner.extend(found);
    }
    let owner = std::sync::Arc::new(owner);

    let mut staged = Vec::new();
    for member in members {
        match member {
            Member::Table(table, path) => {
                let local = scratch.download(dataset, path).await?;
                let (table, owner, pieces2) = (*table, owner.clone(), pieces.clone());
                let outputs = scratch.outputs(pieces.len());
                let outputs2 = outputs.clone();
                let rows = tokio::task::spawn_blocking(move || {
                    split_table(&local, table, &owner, &pieces2, &outputs2)
                })
                .await
                .map_err(|e| Error::Internal(format!("re-slice task: {e}")))??;
                for (i, piece) in pieces.iter().enumerate() {
                    if rows[i] > 0 {
                        staged.push(
                            upload_file(
                                dataset,
                                &outputs[i],
                                dataset.data_file(table, piece),
                                rows[i],
                            )
                            .await?,
                        );
                    }
                }
            }
            Member::Quarantine(path) => {
                let bytes = dataset.store().get(path).await?.bytes().await?;
                for (i, lines) in split_quarantine(&bytes, &pieces, cut)
                    .into_iter()
                    .enumerate()
                {
                    if !lines.1.is_empty() {
                        let target = dataset.quarantine_file(stream, &pieces[i]);
                        staged.push(
                            dataset
                                .stage_bytes(target, bytes::Bytes::from(lines.1), lines.0)
                                .await?,
                        );
                    }
                }
            }
        }
    }
    Ok(staged)
}

/// The column naming a row's owner: the first natural-key column.
fn owner_column(table: Table) -> &'static str {
    &table.natural_key()[0]
}

/// Owner → piece, from a file whose rows carry their owner's start in `time`.
fn owners(
    file: &std::path::Path,
    key: &str,
    time: &str,
    pieces: &[Interval],
) -> Result<HashMap<String, Option<usize>>> {
    let mut owner = HashMap::new();
    for batch in read(file)?.0 {
        let ids = keys(&batch, key, file)?;
        let starts = batch
            .column_by_name(time)
            .filter(|c| matches!(c.data_type(), DataType::Timestamp(..)))
            .ok_or_else(|| corrupt(file, time))?
            .as_primitive::<TimestampMicrosecondType>();
        for (i, id) in ids.into_iter().enumerate() {
            let start = chrono::DateTime::from_timestamp_micros(starts.value(i));
            let piece = start.and_then(|t| pieces.iter().position(|p| p.contains(t)));
            if let Some(id) = id {
                owner.insert(id, piece);
            }
        }
    }
    Ok(owner)
}

/// Rows of `table` per piece, written to `outputs[i]`; returns row counts.
fn split_table(
    file: &std::path::Path,
    table: Table,
    owner: &HashMap<String, Option<usize>>,
    pieces: &[Interval],
    outputs: &[std::path::PathBuf],
) -> Result<Vec<u64>> {
    let mut writers: Vec<Option<(TableWriter, std::fs::File)>> =
        pieces.iter().map(|_| None).collect();
    // The kept rows went through the earlier run's PII policy, and their
    // files say so, not this run's.
    let (batches, pii) = read(file)?;
    for batch in batches {
        let targets: Vec<Option<usize>> = match table.time_column() {
            Some(time) => {
                let starts = batch
                    .column_by_name(time)
                    .filter(|c| matches!(c.data_type(), DataType::Timestamp(..)))
                    .ok_or_else(|| corrupt(file, time))?
                    .as_primitive::<TimestampMicrosecondType>();
                (0..batch.num_rows())
                    .map(|i| {
                        let t = chrono::DateTime::from_timestamp_micros(starts.value(i))?;
                        pieces.iter().position(|p| p.contains(t))
                    })
                    .collect()
            }
            None => keys(&batch, owner_column(table), file)?
                .iter()
                .map(|k| k.as_ref().and_then(|k| owner.get(k).copied().flatten()))
                .collect(),
        };
        for (i, slot) in writers.iter_mut().enumerate() {
            let mask: BooleanArray = targets.iter().map(|t| Some(*t == Some(i))).collect();
            let part = filter_record_batch(&batch, &mask)
                .map_err(|e| Error::Internal(format!("filtering rows: {e}")))?;
            if part.num_rows() == 0 {
                continue;
            }
            if slot.is_none() {
                let out = std::fs::File::create(&outputs[i])
                    .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
                *slot = Some((TableWriter::new(table.schema(), pii.as_deref())?, out));
            }
            let (writer, out) = slot.as_mut().expect("just created");
            if let Some(bytes) = writer.write(&part)? {
                out.write_all(&bytes)
                    .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
            }
        }
    }
    let mut rows = vec![0; pieces.len()];
    for (i, slot) in writers.into_iter().enumerate() {
        if let Some((writer, mut out)) = slot {
            rows[i] = writer.rows();
            out.write_all(&writer.finish()?)
                .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
        }
    }
    Ok(rows)
}

/// The `key` column's values as text (ids are utf8 or int64 in `schemas/`).
fn keys(batch: &RecordBatch, key: &str, file: &std::path::Path) -> Result<Vec<Option<String>>> {
    let col = batch
        .column_by_name(key)
        .ok_or_else(|| corrupt(file, key))?;
    let text = |i: usize, value: &dyn Fn(usize) -> String| col.is_valid(i).then(|| value(i));
    Ok(match col.data_type() {
        DataType::Utf8 => {
            let ids = col.as_string::<i32>();
            (0..batch.num_rows())
                .map(|i| text(i, &|i| ids.value(i).to_string()))
                .collect()
        }
        DataType::Int64 => {
            let ids = col.as_primitive::<Int64Type>();
            (0..batch.num_rows())
                .map(|i| text(i, &|i| ids.value(i).to_string()))
                .collect()
        }
        _ => return Err(corrupt(file, key)),
    })
}

/// Quarantine lines per piece: `(count, bytes)`. Lines whose record start lies
/// in `cut` are dropped (the new slice re-quarantines them); lines whose start
/// cannot be read stay with the first piece.
fn split_quarantine(bytes: &[u8], pieces: &[Interval], cut: &Interval) -> Vec<(u64, Vec<u8>)> {
    let mut out: Vec<(u64, Vec<u8>)> = pieces.iter().map(|_| (0, Vec::new())).collect();
    if out.is_empty() {
        return out;
    }
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let start = record_start(line);
        let target = match start {
            Some(t) if cut.contains(t) => continue,
            Some(t) => pieces.iter().position(|p| p.contains(t)).unwrap_or(0),
            None => 0,
        };
        out[target].0 += 1;
        out[target].1.extend_from_slice(line);
        out[target].1.push(b'\n');
    }
    out
}

/// The `started_at` the transform recorded on a quarantine line.
fn record_start(line: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        #[serde(borrow)]
        started_at: Option<&'a str>,
    }
    let line: Line = serde_json::from_slice(line).ok()?;
    crate::interval::parse_time(line.started_at?).ok()
}

/// The file's batches and its `cxetl.pii` fingerprint, if it has one.
fn read(file: &std::path::Path) -> Result<(Vec<RecordBatch>, Option<String>)> {
    let f = std::fs::File::open(file).map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(f)?.with_batch_size(8192);
    let pii = super::parquet::pii_fingerprint(builder.metadata().file_metadata());
    let batches = builder
        .build()?
        .map(|b| b.map_err(|e| Error::Storage(format!("reading an earlier file: {e}"))))
        .collect::<Result<_>>()?;
    Ok((batches, pii))
}

fn corrupt(file: &std::path::Path, column: &str) -> Error {
    Error::Storage(format!(
        "earlier file {} has no {column} column; remove it or re-run its interval",
        file.display()
    ))
}

async fn upload_file(
    dataset: &Dataset,
    local: &std::path::Path,
    target: Path,
    rows: u64,
) -> Result<StagedFile> {
    let mut upload = dataset.begin(target).await?;
    let mut file = tokio::fs::File::open(local)
        .await
        .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
    let mut buf = vec![0u8; 8 << 20];
    loop {
        let n = tokio::io::AsyncReadExt::read(&mut file, &mut buf)
            .await
            .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
        if n == 0 {
            break;
        }
        upload.write(&buf[..n]).await?;
    }
    upload.finish(rows).await
}

/// A private scratch folder, removed on drop.
struct Scratch {
    dir: std::path::PathBuf,
    next: std::sync::atomic::AtomicUsize,
}

impl Scratch {
    fn new() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "cxetl-reslice-{}-{:08x}",
            std::process::id(),
            fastrand::u32(..)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::Storage(format!(
                "cannot create scratch folder {}: {e}",
                dir.display()
            ))
        })?;
        Ok(Scratch {
            dir,
            next: Default::default(),
        })
    }

    fn fresh(&self) -> std::path::PathBuf {
        self.dir.join(
            self.next
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                .to_string(),
        )
    }

    fn outputs(&self, n: usize) -> Vec<std::path::PathBuf> {
        (0..n).map(|_| self.fresh()).collect()
    }

    async fn download(&self, dataset: &Dataset, path: &Path) -> Result<std::path::PathBuf> {
        let local = self.fresh();
        let mut out = tokio::fs::File::create(&local)
            .await
            .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
        let mut stream = dataset.store().get(path).await?.into_stream();
        while let Some(chunk) = stream.next().await {
            tokio::io::AsyncWriteExt::write_all(&mut out, &chunk?)
                .await
                .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
        }
        tokio::io::AsyncWriteExt::flush(&mut out)
            .await
            .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
        Ok(local)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(a: &str, b: &str) -> Interval {
        Interval::parse(a, b).unwrap()
    }

    #[test]
    fn remainders() {
        let day = i("2026-11-23", "2026-11-24");
        assert_eq!(
            remainder(&day, &i("2026-11-23T06:00:00Z", "2026-11-23T07:00:00Z")),
            vec![
                i("2026-11-23T00:00:00Z", "2026-11-23T06:00:00Z"),
                i("2026-11-23T07:00:00Z", "2026-11-24T00:00:00Z")
            ]
        );
        assert_eq!(
            remainder(&day, &i("2026-11-22T12:00:00Z", "2026-11-23T06:00:00Z")),
            vec![i("2026-11-23T06:00:00Z", "2026-11-24T00:00:00Z")]
        );
        assert!(remainder(&day, &i("2026-11-22", "2026-11-25")).is_empty());
    }

    #[test]
    fn quarantine_lines_follow_their_record_start() {
        let cut = i("2026-11-23T06:00:00Z", "2026-11-23T07:00:00Z");
        let pieces = remainder(&i("2026-11-23", "2026-11-24"), &cut);
        let lines = concat!(
            r#"{"reason":"a","started_at":"2026-11-23T01:00:00Z","record":{}}"#,
            "\n",
            r#"{"reason":"b","started_at":"2026-11-23T06:30:00Z","record":{}}"#,
            "\n",
            r#"{"reason":"c","started_at":"2026-11-23T09:00:00Z","record":{}}"#,
            "\n",
            r#"{"reason":"d","record":{"conversationStart":"not-a-date"}}"#,
            "\n",
        );
        let out = split_quarantine(lines.as_bytes(), &pieces, &cut);
        assert_eq!(
            out[0].0, 2,
            "a and the unreadable d stay in the first piece"
        );
        assert_eq!(
            out[1].0, 1,
            "c goes to the second piece; b is the new slice's"
        );
    }
}
