//! `cxetl vacuum`: deletes the files of the lake's Delta tables that no
//! version younger than the retention still needs: files removed from the
//! table longer ago than the retention, and files no commit ever added
//! (left by a run killed between placing and committing them) older than
//! the retention. Readers of versions inside the retention keep working.

use super::log::{log_dir, Snapshot};
use crate::sink::Location;
use crate::Result;
use futures::TryStreamExt;
use object_store::path::Path;
use std::time::Duration;

/// What a vacuum did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct VacuumReport {
    /// Delta tables found under the output.
    pub tables: Vec<String>,
    /// Files deleted (or that would be, with `dry_run`), relative to the output.
    pub deleted: Vec<String>,
    /// Their bytes.
    pub bytes: u64,
    /// Unreferenced files kept because they are younger than the retention.
    pub kept_in_retention: u64,
    /// Nothing was deleted.
    pub dry_run: bool,
}

/// Vacuums every Delta table directly under `location`.
pub async fn vacuum(location: &Location, retain: Duration, dry_run: bool) -> Result<VacuumReport> {
    let store = location.store.as_ref();
    let cutoff =
        chrono::Utc::now() - chrono::Duration::from_std(retain).unwrap_or(chrono::Duration::MAX);
    let mut report = VacuumReport {
        dry_run,
        ..Default::default()
    };
    let top = store.list_with_delimiter(Some(&location.root)).await?;
    for dir in top.common_prefixes {
        let Some(name) = dir.filename().map(str::to_string) else {
            continue;
        };
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        let has_log = store.list(Some(&log_dir(&dir))).try_next().await?.is_some();
        if !has_log {
            continue;
        }
        let snapshot = Snapshot::load(store, dir.clone()).await?;
        snapshot.check_writable()?;
        report.tables.push(name);
        let live: std::collections::BTreeSet<Path> = snapshot
            .files
            .keys()
            .map(|p| snapshot.object_path(p))
            .collect();
        let removed_at: std::collections::BTreeMap<Path, Option<i64>> = snapshot
            .tombstones
            .values()
            .map(|r| (snapshot.object_path(&r.path), r.deletion_timestamp))
            .collect();
        let files: Vec<_> = store.list(Some(&dir)).try_collect().await?;
        for meta in files {
            let Some(parts) = meta.location.prefix_match(&dir) else {
                continue;
            };
            let parts: Vec<_> = parts.collect();
            // `_delta_log/`, `_tmp…`, `.crc` files and the like are not data.
            if parts
                .iter()
                .any(|p| p.as_ref().starts_with('_') || p.as_ref().starts_with('.'))
                || !meta.location.as_ref().ends_with(".parquet")
                || live.contains(&meta.location)
            {
                continue;
            }
            // A removed file counts from its removal; a never-committed one from its write.
            let since = removed_at
                .get(&meta.location)
                .copied()
                .flatten()
                .and_then(chrono::DateTime::from_timestamp_millis)
                .unwrap_or(meta.last_modified);
            if since >= cutoff {
                report.kept_in_retention += 1;
                continue;
            }
            if !dry_run {
                match store.delete(&meta.location).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            report.bytes += meta.size;
            report.deleted.push(
                meta.location
                    .prefix_match(&location.root)
                    .map(|p| {
                        p.map(|x| x.as_ref().to_string())
                            .collect::<Vec<_>>()
                            .join("/")
                    })
                    .unwrap_or_else(|| meta.location.to_string()),
            );
        }
    }
    Ok(report)
}
