//! Where every object lives under the output root. One place decides the
//! Hive layout, so readers, publishers and tests agree on it.
//!
//! ```text
//! <table>/vendor=<v>/date=<YYYY-MM-DD>/<START>_<END>.parquet   interval streams' data
//! <table>/vendor=<v>/snapshot_date=<YYYY-MM-DD>/<START>_<END>.parquet  directory snapshots
//! _quarantine/vendor=<v>/date=<YYYY-MM-DD>/stream=<s>/<START>_<END>.jsonl  rejected records
//! _summaries/vendor=<v>/<START>_<END>.json                      run summaries
//! _staging/<run_id>/<n>.<ext>                                  in-flight files (never globbed by readers)
//! ```

use crate::transform::Table;
use crate::{Interval, Vendor};
use object_store::path::Path;

/// The folder (prefix) that holds one table's partition for the slice's
/// date (`date=` or, for snapshots, `snapshot_date=`).
pub fn partition_dir(root: &Path, table: Table, vendor: Vendor, slice: &Interval) -> Path {
    join(
        root,
        &format!(
            "{table}/vendor={vendor}/{}={}",
            table.partition_column(),
            slice.start_date().format("%Y-%m-%d")
        ),
    )
}

/// The published data file of one table for one slice.
pub fn data_file(root: &Path, table: Table, vendor: Vendor, slice: &Interval) -> Path {
    partition_dir(root, table, vendor, slice).child(format!("{}.parquet", slice.file_stem()))
}

/// The quarantine folder of one stream for the slice's date: per stream,
/// since two streams' slices of one day share their file name.
pub fn quarantine_dir(root: &Path, vendor: Vendor, stream: &str, slice: &Interval) -> Path {
    join(
        root,
        &format!(
            "_quarantine/vendor={vendor}/date={}/stream={stream}",
            slice.start_date().format("%Y-%m-%d")
        ),
    )
}

/// The published quarantine file of one stream's slice.
pub fn quarantine_file(root: &Path, vendor: Vendor, stream: &str, slice: &Interval) -> Path {
    quarantine_dir(root, vendor, stream, slice).child(format!("{}.jsonl", slice.file_stem()))
}

/// The summary of a run over `interval`.
pub fn summary_file(root: &Path, vendor: Vendor, interval: &Interval) -> Path {
    join(
        root,
        &format!("_summaries/vendor={vendor}/{}.json", interval.file_stem()),
    )
}

/// The checkpoint of a run over `interval` (progress for crash-resume).
pub fn state_file(root: &Path, vendor: Vendor, interval: &Interval) -> Path {
    join(
        root,
        &format!("_state/vendor={vendor}/{}.json", interval.file_stem()),
    )
}

/// The lease on one date partition of one vendor.
pub fn lease_file(root: &Path, vendor: Vendor, date: chrono::NaiveDate) -> Path {
    join(
        root,
        &format!(
            "_leases/vendor={vendor}/date={}.json",
            date.format("%Y-%m-%d")
        ),
    )
}

/// The staging folder of one run: everything is written here first.
pub fn staging_dir(root: &Path, run_id: &str) -> Path {
    join(root, &format!("_staging/{run_id}"))
}

/// Reads the slice back from a data or quarantine file name
/// (`20261123T000000Z_20261124T000000Z.parquet`), so stale files of a
/// replaced interval can be recognised whatever slicing wrote them.
pub fn slice_of_file(path: &Path) -> Option<Interval> {
    let name = path.filename()?;
    let stem = name.rsplit_once('.')?.0;
    let (start, end) = stem.split_once('_')?;
    let parse = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S%.fZ")
            .ok()
            .map(|t| t.and_utc())
    };
    Interval::new(parse(start)?, parse(end)?).ok()
}

fn join(root: &Path, relative: &str) -> Path {
    relative
        .split('/')
        .filter(|p| !p.is_empty())
        .fold(root.clone(), |acc, part| acc.child(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hive_paths_and_round_trip_of_slice_names() {
        let root = Path::from("lake/cx");
        let slice = Interval::parse("2026-11-23T06:00:00Z", "2026-11-23T12:00:00Z").unwrap();
        let file = data_file(
            &root,
            Table::named("conversations"),
            Vendor::Genesys,
            &slice,
        );
        assert_eq!(
            file.as_ref(),
            "lake/cx/conversations/vendor=genesys/date=2026-11-23/20261123T060000Z_20261123T120000Z.parquet"
        );
        assert_eq!(slice_of_file(&file), Some(slice));
        assert_eq!(
            summary_file(&root, Vendor::Cxone, &slice).as_ref(),
            "lake/cx/_summaries/vendor=cxone/20261123T060000Z_20261123T120000Z.json"
        );
    }

    #[test]
    fn empty_root_works() {
        let slice = Interval::parse("2026-11-23", "2026-11-24").unwrap();
        let file = data_file(
            &Path::default(),
            Table::named("conversations"),
            Vendor::Genesys,
            &slice,
        );
        assert_eq!(
            file.as_ref(),
            "conversations/vendor=genesys/date=2026-11-23/20261123T000000Z_20261124T000000Z.parquet"
        );
        assert!(slice_of_file(&Path::from("x/notes.txt")).is_none());
    }
}
