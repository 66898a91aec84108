//! Re-slicing: when a new slice cuts through a file written by an earlier
//! run with other slicing (a daily file, then an hourly re-run inside that
//! day), the rows of the earlier file that lie outside the new slice are
//! rewritten into files named for the remaining pieces, so every
//! conversation stays in exactly one file.
//!
//! Rows are assigned by their conversation's start: the `conversations`
//! file of the earlier interval maps each conversation id to its start, and
//! every table keys its rows by that id. The earlier file is read from a
//! local temporary copy and the pieces are encoded on the blocking pool, so
//! memory stays bounded whatever the file size.

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
) -> Result<Vec<StagedFile>> {
    let pieces = remainder(&outer, cut);
    tracing::info!(earlier = %outer, new = %cut, pieces = pieces.len(), "re-slicing an earlier interval");
    let scratch = Scratch::new()?;
    // Which piece (if any) each conversation goes to, from the conversations file.
    let mut owner: HashMap<String, Option<usize>> = HashMap::new();
    if let Some(Member::Table(_, path)) = members
        .iter()
        .find(|m| matches!(m, Member::Table(Table::Conversations, _)))
    {
        let local = scratch.download(dataset, path).await?;
        let pieces2 = pieces.clone();
        owner = tokio::task::spawn_blocking(move || conversation_owners(&local, &pieces2))
            .await
            .map_err(|e| Error::Internal(format!("re-slice task: {e}")))??;
    }
    let owner = std::sync::Arc::new(owner);

    let mut staged = Vec::new();
    for member in members {
        match member {
            Member::Table(table, path) => {
                let local = scratch.download(dataset, path).await?;
                let (table, owner, n) = (*table, owner.clone(), pieces.len());
                let outputs = scratch.outputs(pieces.len());
                let outputs2 = outputs.clone();
                let rows = tokio::task::spawn_blocking(move || {
                    split_table(&local, table, &owner, n, &outputs2)
                })
                .await
                .map_err(|e| Error::Internal(format!("re-slice task: {e}")))??;
                for (i, piece) in pieces.iter().enumerate() {
                    if rows[i] > 0 {
                        staged.push(
                            upload_file(
                                dataset,
                                &outputs[i],
                                dataset.data_file(table.name(), piece),
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
                        let target = dataset.quarantine_file(&pieces[i]);
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

fn conversation_owners(
    file: &std::path::Path,
    pieces: &[Interval],
) -> Result<HashMap<String, Option<usize>>> {
    let mut owner = HashMap::new();
    for batch in read(file)? {
        let ids = batch
            .column_by_name("conversation_id")
            .ok_or_else(|| corrupt(file, "conversation_id"))?
            .as_string::<i32>();
        let starts = batch
            .column_by_name("started_at")
            .ok_or_else(|| corrupt(file, "started_at"))?
            .as_primitive::<TimestampMicrosecondType>();
        for i in 0..batch.num_rows() {
            let start = chrono::DateTime::from_timestamp_micros(starts.value(i));
            let piece = start.and_then(|t| pieces.iter().position(|p| p.contains(t)));
            owner.insert(ids.value(i).to_string(), piece);
        }
    }
    Ok(owner)
}

/// Rows of `table` per piece, written to `outputs[i]`; returns row counts.
fn split_table(
    file: &std::path::Path,
    table: Table,
    owner: &HashMap<String, Option<usize>>,
    pieces: usize,
    outputs: &[std::path::PathBuf],
) -> Result<Vec<u64>> {
    let mut writers: Vec<Option<(TableWriter, std::fs::File)>> =
        (0..pieces).map(|_| None).collect();
    for batch in read(file)? {
        let keys = owner_keys(&batch, file)?;
        for (i, slot) in writers.iter_mut().enumerate() {
            let mask: BooleanArray = keys
                .iter()
                .map(|k| Some(k.as_ref().and_then(|k| owner.get(k).copied().flatten()) == Some(i)))
                .collect();
            let part = filter_record_batch(&batch, &mask)
                .map_err(|e| Error::Internal(format!("filtering rows: {e}")))?;
            if part.num_rows() == 0 {
                continue;
            }
            if slot.is_none() {
                let out = std::fs::File::create(&outputs[i])
                    .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
                *slot = Some((TableWriter::new(table.schema())?, out));
            }
            let (writer, out) = slot.as_mut().expect("just created");
            if let Some(bytes) = writer.write(&part)? {
                out.write_all(&bytes)
                    .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
            }
        }
    }
    let mut rows = vec![0; pieces];
    for (i, slot) in writers.into_iter().enumerate() {
        if let Some((writer, mut out)) = slot {
            rows[i] = writer.rows();
            out.write_all(&writer.finish()?)
                .map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
        }
    }
    Ok(rows)
}

/// The conversation id each row belongs to (`conversation_id`, or CXone's `contact_id`).
fn owner_keys(batch: &RecordBatch, file: &std::path::Path) -> Result<Vec<Option<String>>> {
    if let Some(col) = batch.column_by_name("conversation_id") {
        let ids = col.as_string::<i32>();
        return Ok((0..batch.num_rows())
            .map(|i| ids.is_valid(i).then(|| ids.value(i).to_string()))
            .collect());
    }
    match batch.column_by_name("contact_id") {
        Some(col) if col.data_type() == &DataType::Int64 => {
            let ids = col.as_primitive::<Int64Type>();
            Ok((0..batch.num_rows())
                .map(|i| ids.is_valid(i).then(|| ids.value(i).to_string()))
                .collect())
        }
        _ => Err(corrupt(file, "conversation_id or contact_id")),
    }
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

fn record_start(line: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        #[serde(borrow)]
        record: Option<&'a serde_json::value::RawValue>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Record {
        conversation_start: Option<serde_json::Value>,
        contact_start_date: Option<serde_json::Value>,
        contact_start: Option<serde_json::Value>,
    }
    let line: Line = serde_json::from_slice(line).ok()?;
    let r: Record = serde_json::from_str(line.record?.get()).ok()?;
    let v = r
        .conversation_start
        .or(r.contact_start_date)
        .or(r.contact_start)?;
    crate::interval::parse_time(v.as_str()?).ok()
}

fn read(file: &std::path::Path) -> Result<Vec<RecordBatch>> {
    let f = std::fs::File::open(file).map_err(|e| Error::Storage(format!("scratch file: {e}")))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)?
        .with_batch_size(8192)
        .build()?;
    reader
        .map(|b| b.map_err(|e| Error::Storage(format!("reading an earlier file: {e}"))))
        .collect()
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
            r#"{"reason":"a","record":{"conversationStart":"2026-11-23T01:00:00.000Z"}}"#,
            "\n",
            r#"{"reason":"b","record":{"conversationStart":"2026-11-23T06:30:00.000Z"}}"#,
            "\n",
            r#"{"reason":"c","record":{"contactStartDate":"2026-11-23T09:00:00Z"}}"#,
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
