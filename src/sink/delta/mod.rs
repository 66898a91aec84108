//! `--format delta`: every table is a Delta table at `<output>/<table>/`
//! (protocol reader 1 / writer 2), written by a small native log writer.
//!
//! Staging and encoding are the Parquet format's. Publishing a slice
//! differs: the staged files are renamed to unique Hive paths inside the
//! table (`vendor=<v>/date=<d>/<START>_<END>-<run_id>-<n>.parquet`;
//! invisible until committed, never overwritten), and then each table gets
//! ONE commit that removes the files of the slice's interval, adds the new
//! ones and, when an earlier wider file is cut (daily, then hourly), adds
//! its re-sliced remainder ([`super::reslice`]) in the same commit. So every
//! version of a table holds each record exactly once.
//!
//! Modules: [`actions`] (the log's JSON), [`schema`] (Arrow → Delta
//! schema), [`log`] (replay), [`commit`] (put-if-absent), [`checkpoint`]
//! (Parquet checkpoints), [`vacuum`].

pub mod actions;
pub mod checkpoint;
pub mod commit;
pub mod log;
pub mod schema;
pub mod vacuum;

use super::reslice::{self, Member};
use super::retry::retry_storage;
use super::{Dataset, PublishedFile, StagedFile};
use crate::transform::Table;
use crate::{Error, Interval, Result};
use actions::{Action, Add, FileFormat, Metadata, Protocol, Remove};
use log::Snapshot;
use object_store::path::Path;
use std::collections::{BTreeMap, BTreeSet};

/// Lost races one commit may retry before the run gives up (exit 6).
const MAX_COMMIT_ATTEMPTS: usize = 100;

/// The snapshots a run has read, per table, kept current between its commits.
pub type Snapshots = BTreeMap<Table, Snapshot>;

/// The folder of `table`'s Delta table.
pub fn table_root(root: &Path, table: Table) -> Path {
    root.child(table.name())
}

/// The interval a file of ours covers, from its name
/// (`<START>_<END>-<run_id>-<n>.parquet`); `None` for other writers' files.
pub fn interval_of(log_path: &str) -> Option<Interval> {
    let name = log_path.rsplit('/').next()?;
    let (stem, _) = name.split_once('-')?;
    super::layout::slice_of_file(&Path::from(format!("{stem}.parquet")))
}

/// The current snapshot of `table`, read once per run and then updated.
async fn current<'a>(
    dataset: &Dataset,
    snapshots: &'a mut Snapshots,
    table: Table,
) -> Result<&'a mut Snapshot> {
    let store = dataset.store().as_ref();
    match snapshots.entry(table) {
        std::collections::btree_map::Entry::Occupied(e) => {
            let s = e.into_mut();
            s.update(store).await?;
            Ok(s)
        }
        std::collections::btree_map::Entry::Vacant(e) => {
            Ok(e.insert(Snapshot::load(store, table_root(dataset.root(), table)).await?))
        }
    }
}

/// Which partition of a table one slice writes: `vendor` and the date column.
#[derive(Debug, Clone)]
struct Partition {
    vendor: String,
    column: &'static str,
    date: String,
}

impl Partition {
    fn of(dataset: &Dataset, table: Table, slice: &Interval) -> Self {
        Partition {
            vendor: dataset.vendor().to_string(),
            column: table.partition_column(),
            date: slice.start_date().format("%Y-%m-%d").to_string(),
        }
    }

    fn holds(&self, values: &actions::StringMap) -> bool {
        let is = |k: &str, v: &str| values.get(k).and_then(|x| x.as_deref()) == Some(v);
        is("vendor", &self.vendor) && is(self.column, &self.date)
    }

    fn values(&self) -> actions::StringMap {
        [
            ("vendor".to_string(), Some(self.vendor.clone())),
            (self.column.to_string(), Some(self.date.clone())),
        ]
        .into()
    }

    fn folder(&self) -> String {
        format!("vendor={}/{}={}", self.vendor, self.column, self.date)
    }
}

/// Our files of `partition` in `snapshot` whose interval overlaps `slice`.
fn overlapping<'a>(
    snapshot: &'a Snapshot,
    partition: &'a Partition,
    slice: &'a Interval,
) -> impl Iterator<Item = (Interval, &'a Add)> + 'a {
    snapshot
        .files
        .values()
        .filter(|a| partition.holds(&a.partition_values))
        .filter_map(|a| Some((interval_of(&a.path)?, a)))
        .filter(|(i, _)| i.overlaps(slice))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Publishes `staged` for `slice` as one commit per table (see the module doc).
pub(super) async fn publish(
    dataset: &Dataset,
    slice: &Interval,
    stream: &str,
    tables: &[Table],
    staged: Vec<StagedFile>,
) -> Result<Vec<PublishedFile>> {
    let mut snapshots = dataset.delta.lock().await;
    // Earlier files overlapping the slice, grouped by interval across the
    // stream's tables and its quarantine (re-slicing needs them together).
    let mut groups: BTreeMap<Interval, Vec<Member>> = BTreeMap::new();
    let mut removes: BTreeMap<Table, Vec<Add>> = BTreeMap::new();
    for &table in tables {
        let snapshot = current(dataset, &mut snapshots, table).await?;
        snapshot.check_writable()?;
        let partition = Partition::of(dataset, table, slice);
        for (interval, add) in overlapping(snapshot, &partition, slice) {
            groups
                .entry(interval)
                .or_default()
                .push(Member::Table(table, snapshot.object_path(&add.path)));
            removes.entry(table).or_default().push(add.clone());
        }
    }
    dataset.group_quarantine(stream, slice, &mut groups).await?;
    let mut pieces = Vec::new();
    let mut replaced_quarantine = Vec::new();
    for (earlier, members) in groups {
        if !slice.covers(&earlier) {
            pieces.extend(reslice::split(dataset, earlier, &members, slice, stream).await?);
        }
        replaced_quarantine.extend(members.into_iter().filter_map(|m| match m {
            Member::Quarantine(p) if !staged.iter().any(|s| s.final_path == p) => Some(p),
            _ => None,
        }));
    }

    // Place every file: data files at fresh paths inside their table,
    // quarantine files at their (non-Delta) final names.
    let mut adds: BTreeMap<Table, Vec<Add>> = BTreeMap::new();
    let mut published = Vec::with_capacity(staged.len());
    let n_staged = staged.len();
    for (i, file) in staged.iter().chain(&pieces).enumerate() {
        let target = match table_of(dataset, &file.final_path) {
            Some(table) => {
                let partition = Partition::of(dataset, table, &slice_of(file, slice));
                let name = unique_name(dataset, &file.final_path);
                let rel = format!("{}/{name}", partition.folder());
                let target = rel
                    .split('/')
                    .fold(table_root(dataset.root(), table), |acc, part| {
                        acc.child(part)
                    });
                adds.entry(table).or_default().push(Add {
                    path: rel,
                    partition_values: partition.values(),
                    size: i64::try_from(file.bytes).unwrap_or(i64::MAX),
                    modification_time: now_ms(),
                    data_change: true,
                    stats: Some(format!(r#"{{"numRecords":{}}}"#, file.rows)),
                    tags: None,
                });
                target
            }
            None => file.final_path.clone(),
        };
        retry_storage(|| dataset.store().rename(&file.staging_path, &target)).await?;
        crate::failpoint::hit(crate::failpoint::points::RENAMED);
        if i < n_staged {
            published.push(PublishedFile {
                path: dataset.relative(&target),
                rows: file.rows,
                bytes: file.bytes,
            });
        }
    }

    for &table in tables {
        let removes = removes.remove(&table).unwrap_or_default();
        let adds = adds.remove(&table).unwrap_or_default();
        if removes.is_empty() && adds.is_empty() {
            continue;
        }
        // The snapshot the removes were planned on, not a newer one: a commit
        // another writer made since must make this one lose its race, so
        // that it is checked against this slice's partition before ours lands.
        let snapshot = snapshots
            .get_mut(&table)
            .ok_or_else(|| Error::Internal(format!("no snapshot of {}", table.name())))?;
        commit_table(dataset, snapshot, table, slice, removes, adds).await?;
        crate::failpoint::hit(crate::failpoint::points::COMMITTED);
    }
    for path in replaced_quarantine {
        dataset.delete_if_present(&path).await?;
    }
    Ok(published)
}

/// The slice a staged file covers (a re-sliced piece has its own).
fn slice_of(file: &StagedFile, slice: &Interval) -> Interval {
    super::layout::slice_of_file(&file.final_path).unwrap_or(*slice)
}

/// The table a staged data file belongs to; `None` for quarantine files.
fn table_of(dataset: &Dataset, final_path: &Path) -> Option<Table> {
    let first = final_path.prefix_match(dataset.root())?.next()?;
    Table::from_name(first.as_ref())
}

/// `<START>_<END>-<run_id>-<n>.parquet`: unique per run and file, so a
/// committed file is never overwritten and a reader never sees it change.
fn unique_name(dataset: &Dataset, final_path: &Path) -> String {
    let stem = final_path
        .filename()
        .and_then(|n| n.strip_suffix(".parquet"))
        .unwrap_or("file");
    let n = dataset
        .staged_seq
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{stem}-{}-{n:06}.parquet", dataset.run_id())
}

/// The table's metadata as this version of cxetl declares it.
fn metadata(table: Table, id: String) -> Metadata {
    Metadata {
        id,
        name: Some(table.name().to_string()),
        description: None,
        format: FileFormat {
            provider: "parquet".into(),
            options: Default::default(),
        },
        schema_string: schema::schema_string(table),
        partition_columns: schema::partition_columns(table),
        configuration: Default::default(),
        created_time: Some(now_ms()),
    }
}

fn new_table_id() -> String {
    let (a, b) = (fastrand::u64(..), fastrand::u64(..));
    // A version-4 UUID.
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// Commits `removes` and `adds` to `table` as one version, retrying on a
/// lost race. After a loss the log is re-read: a winner that did not touch
/// this slice's partition changes nothing (the same actions go in the next
/// version; shards on other dates never fail each other). One that did is
/// re-planned: the files of the partition that now overlap the slice are
/// removed instead, which is safe as long as the earlier files this commit
/// re-sliced are still there and no new file reaches outside the slice;
/// otherwise the commit fails (exit 6) rather than risk a duplicate.
async fn commit_table(
    dataset: &Dataset,
    snapshot: &mut Snapshot,
    table: Table,
    slice: &Interval,
    mut removes: Vec<Add>,
    adds: Vec<Add>,
) -> Result<()> {
    let partition = Partition::of(dataset, table, slice);
    let resliced: BTreeSet<String> = removes
        .iter()
        .filter(|a| interval_of(&a.path).is_some_and(|i| !slice.covers(&i)))
        .map(|a| a.path.clone())
        .collect();
    let store = dataset.store().as_ref();
    for _ in 0..MAX_COMMIT_ATTEMPTS {
        snapshot.check_writable()?;
        let version = snapshot.next_version();
        let now = now_ms();
        let mut actions = vec![Action {
            commit_info: Some(serde_json::json!({
                "timestamp": now,
                "operation": "WRITE",
                "operationParameters": {
                    "mode": if removes.is_empty() { "Append" } else { "Overwrite" },
                    "partitionBy": serde_json::to_string(&schema::partition_columns(table)).unwrap_or_default(),
                    "predicate": format!("{} AND slice [{}, {})", partition.folder(), crate::interval::fmt_rfc3339(slice.start()), crate::interval::fmt_rfc3339(slice.end())),
                },
                "isBlindAppend": removes.is_empty(),
                "engineInfo": concat!("cxetl/", env!("CARGO_PKG_VERSION")),
                "cxetlRunId": dataset.run_id(),
            })),
            ..Default::default()
        }];
        match &snapshot.metadata {
            None => {
                actions.push(Action {
                    protocol: Some(Protocol {
                        min_reader_version: log::READER_VERSION,
                        min_writer_version: log::WRITER_VERSION,
                        reader_features: None,
                        writer_features: None,
                    }),
                    ..Default::default()
                });
                actions.push(Action {
                    meta_data: Some(metadata(table, new_table_id())),
                    ..Default::default()
                });
            }
            Some(m) if m.partition_columns != schema::partition_columns(table) => {
                return Err(Error::Storage(format!(
                    "the Delta table {} is partitioned by {:?}, cxetl writes {:?}; use another --output",
                    snapshot.root,
                    m.partition_columns,
                    schema::partition_columns(table)
                )));
            }
            // A column added to schemas/ since: the new schema, same table.
            Some(m) if m.schema_string != schema::schema_string(table) => {
                actions.push(Action {
                    meta_data: Some(Metadata {
                        schema_string: schema::schema_string(table),
                        ..m.clone()
                    }),
                    ..Default::default()
                });
            }
            Some(_) => {}
        }
        actions.extend(removes.iter().map(|a| Action::remove(Remove::of(a, now))));
        actions.extend(adds.iter().cloned().map(Action::add));

        if commit::put_if_absent(store, &snapshot.root, version, &actions).await? {
            snapshot.apply(&actions);
            snapshot.version = Some(version);
            tracing::debug!(
                table = table.name(),
                version,
                removed = removes.len(),
                added = adds.len(),
                "delta commit"
            );
            maybe_checkpoint(dataset, snapshot).await;
            return Ok(());
        }
        let winners = snapshot.update(store).await?;
        tracing::info!(
            table = table.name(),
            version,
            "another writer committed this version first; re-reading the log"
        );
        let touched = winners.iter().flatten().any(|a| {
            a.add
                .as_ref()
                .is_some_and(|x| partition.holds(&x.partition_values))
                || a.remove.as_ref().is_some_and(|x| {
                    x.partition_values
                        .as_ref()
                        .is_none_or(|v| partition.holds(v))
                })
        });
        if touched {
            removes = replan(snapshot, &partition, slice, &resliced).map_err(|why| {
                Error::Storage(format!(
                    "another writer changed {}/{} while this run published {slice} ({why}); run this interval again",
                    table.name(),
                    partition.folder()
                ))
            })?;
        }
    }
    Err(Error::Storage(format!(
        "{}: lost {MAX_COMMIT_ATTEMPTS} commit races in a row; too many writers on one table",
        table.name()
    )))
}

/// The removes of a commit re-planned on the log as a racing winner left it.
fn replan(
    snapshot: &Snapshot,
    partition: &Partition,
    slice: &Interval,
    resliced: &BTreeSet<String>,
) -> std::result::Result<Vec<Add>, String> {
    if let Some(gone) = resliced.iter().find(|p| !snapshot.files.contains_key(*p)) {
        return Err(format!("the file {gone} this commit re-sliced was removed"));
    }
    let now: Vec<Add> = overlapping(snapshot, partition, slice)
        .map(|(_, a)| a.clone())
        .collect();
    if let Some(wider) = now.iter().find(|a| {
        !resliced.contains(&a.path) && interval_of(&a.path).is_some_and(|i| !slice.covers(&i))
    }) {
        return Err(format!("{} reaches outside the slice", wider.path));
    }
    Ok(now)
}

/// Writes a checkpoint at every `delta.checkpointInterval`-th version
/// (default 10). Best effort: a missing checkpoint only slows readers.
async fn maybe_checkpoint(dataset: &Dataset, snapshot: &Snapshot) {
    let Some(version) = snapshot.version else {
        return;
    };
    let every = snapshot
        .property("delta.checkpointInterval")
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(checkpoint::DEFAULT_INTERVAL);
    if version == 0 || version % every != 0 {
        return;
    }
    if let Err(e) = write_checkpoint(dataset, snapshot, version).await {
        tracing::warn!(table = %snapshot.root, version, error = %e, "could not write a Delta checkpoint; readers replay the JSON commits instead");
    }
}

async fn write_checkpoint(dataset: &Dataset, snapshot: &Snapshot, version: i64) -> Result<()> {
    let snap = snapshot.clone();
    let (bytes, rows) = tokio::task::spawn_blocking(move || checkpoint::write(&snap, now_ms()))
        .await
        .map_err(|e| Error::Internal(format!("checkpoint task: {e}")))?
        .map_err(|e| Error::Storage(format!("encoding a checkpoint: {e}")))?;
    let dir = log::log_dir(&snapshot.root);
    // The checkpoint is complete before `_last_checkpoint` names it.
    dataset
        .write_small(&dir.child(checkpoint::file_name(version)), bytes.to_vec())
        .await?;
    let last = serde_json::json!({"version": version, "size": rows});
    dataset
        .write_small(
            &dir.child("_last_checkpoint"),
            last.to_string().into_bytes(),
        )
        .await?;
    tracing::debug!(table = %snapshot.root, version, rows, "delta checkpoint written");
    Ok(())
}

/// The live data files of `table`'s partition for `day` (path, size): the
/// files a reader of the current version sees, not the removed ones
/// waiting for `vacuum`.
pub(super) async fn live_files(
    dataset: &Dataset,
    table: Table,
    day: &Interval,
) -> Result<Vec<(Path, u64)>> {
    let mut snapshots = dataset.delta.lock().await;
    let snapshot = current(dataset, &mut snapshots, table).await?;
    let partition = Partition::of(dataset, table, day);
    Ok(snapshot
        .files
        .values()
        .filter(|a| partition.holds(&a.partition_values))
        .map(|a| {
            (
                snapshot.object_path(&a.path),
                u64::try_from(a.size).unwrap_or(0),
            )
        })
        .collect())
}

/// When `table`'s file for the whole day `day` was committed, if it was.
pub(super) async fn published_at(
    dataset: &Dataset,
    table: Table,
    day: &Interval,
) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    let mut snapshots = dataset.delta.lock().await;
    let snapshot = current(dataset, &mut snapshots, table).await?;
    let partition = Partition::of(dataset, table, day);
    Ok(overlapping(snapshot, &partition, day)
        .filter(|(i, _)| i == day)
        .map(|(_, a)| a.modification_time)
        .max()
        .and_then(chrono::DateTime::from_timestamp_millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::{store, Format};

    fn day(d: &str) -> Interval {
        let start = crate::interval::parse_time(d).unwrap();
        Interval::new(start, start + chrono::Duration::days(1)).unwrap()
    }

    /// An add of ours for `slice`, named as a run `run` would.
    fn add(dataset: &Dataset, table: Table, slice: &Interval, run: &str) -> Add {
        let p = Partition::of(dataset, table, slice);
        Add {
            path: format!("{}/{}-{run}-000001.parquet", p.folder(), slice.file_stem()),
            partition_values: p.values(),
            size: 1,
            modification_time: 1,
            data_change: true,
            stats: None,
            tags: None,
        }
    }

    #[tokio::test]
    async fn lost_races_retry_on_other_partitions_replan_or_refuse_on_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let location = store::open(&dir.path().display().to_string()).unwrap();
        let ds = Dataset::new(location, crate::Vendor::Genesys, "r").with_format(Format::Delta);
        let table = Table::named("conversations");
        let store = ds.store().as_ref();
        let root = table_root(ds.root(), table);
        let (d1, d2) = (day("2026-11-20"), day("2026-11-21"));

        // Another writer takes version 0 (day 2) while we still see no table:
        // we lose the race, re-read, and commit day 1 as version 1.
        let mut ours = Snapshot::load(store, root.clone()).await.unwrap();
        let mut theirs = ours.clone();
        commit_table(
            &ds,
            &mut theirs,
            table,
            &d2,
            vec![],
            vec![add(&ds, table, &d2, "b")],
        )
        .await
        .unwrap();
        commit_table(
            &ds,
            &mut ours,
            table,
            &d1,
            vec![],
            vec![add(&ds, table, &d1, "a")],
        )
        .await
        .unwrap();
        assert_eq!(ours.version, Some(1));
        assert_eq!(ours.files.len(), 2, "both days are live");
        assert!(
            ours.metadata.is_some(),
            "the winner's table, not a second version 0"
        );

        // Both replace day 1 whole (a snapshot re-taken twice): the loser
        // re-plans its removes and the last commit alone holds the day.
        let daily = add(&ds, table, &d1, "a");
        let (mut x, mut y) = (ours.clone(), ours.clone());
        commit_table(
            &ds,
            &mut x,
            table,
            &d1,
            vec![daily.clone()],
            vec![add(&ds, table, &d1, "x")],
        )
        .await
        .unwrap();
        commit_table(
            &ds,
            &mut y,
            table,
            &d1,
            vec![daily.clone()],
            vec![add(&ds, table, &d1, "y")],
        )
        .await
        .unwrap();
        let p = Partition::of(&ds, table, &d1);
        let live: Vec<_> = overlapping(&y, &p, &d1)
            .map(|(_, a)| a.path.clone())
            .collect();
        assert_eq!(live, vec![add(&ds, table, &d1, "y").path]);

        // An hourly slice re-slicing a daily file that a racing writer
        // removed meanwhile is refused: its pieces would duplicate rows.
        let hour = Interval::parse("2026-11-20T06:00:00Z", "2026-11-20T07:00:00Z").unwrap();
        let current = add(&ds, table, &d1, "y");
        let (mut h, mut w) = (y.clone(), y.clone());
        commit_table(
            &ds,
            &mut w,
            table,
            &d1,
            vec![current.clone()],
            vec![add(&ds, table, &d1, "w")],
        )
        .await
        .unwrap();
        let refused = commit_table(
            &ds,
            &mut h,
            table,
            &hour,
            vec![current],
            vec![add(&ds, table, &hour, "h")],
        )
        .await
        .unwrap_err();
        assert!(
            refused.to_string().contains("another writer changed"),
            "{refused}"
        );
        let fresh = Snapshot::load(store, root).await.unwrap();
        assert_eq!(
            fresh.version, w.version,
            "the refused commit left no version"
        );
    }

    #[test]
    fn our_file_names_carry_their_interval() {
        let i = Interval::parse("2026-11-23T06:00:00Z", "2026-11-23T07:00:00Z").unwrap();
        assert_eq!(
            interval_of("vendor=genesys/date=2026-11-23/20261123T060000Z_20261123T070000Z-20261206T204416Z-00ab12-000003.parquet"),
            Some(i)
        );
        assert_eq!(
            interval_of("date=2026-11-23/part-00000-uuid.c000.snappy.parquet"),
            None
        );
        let id = new_table_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
