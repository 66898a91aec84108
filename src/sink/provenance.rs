//! Which personal-data policy the files already in a partition went through
//! (`cxetl.pii` in each Parquet footer), so a run under another policy can
//! replace those partitions whole instead of mixing two policies in one.

use super::{layout, Dataset};
use crate::transform::Table;
use crate::{Error, Interval, Result};
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use parquet::file::metadata::{FooterTail, ParquetMetaDataReader};

/// Files whose footers are read at once.
const FOOTERS_IN_FLIGHT: usize = 8;

/// The days among `days` where a file of `tables` was written under
/// another policy than the dataset's. Files from before the policy existed
/// carry no key and were written as received: the keep policy's.
pub async fn days_under_other_policy(
    dataset: &Dataset,
    tables: &[Table],
    days: &[Interval],
) -> Result<Vec<Interval>> {
    let fingerprint = dataset.pii().fingerprint();
    let keep = crate::transform::pii::PiiPolicy::keep();
    let keep_fingerprint = keep.fingerprint();
    let mut changed = Vec::new();
    for day in days {
        let mut files = Vec::new();
        for &table in tables {
            files.extend(live_files(dataset, table, day).await?);
        }
        let other = futures::stream::iter(files)
            .map(|(path, size)| async move { footer_fingerprint(dataset, &path, size).await })
            .buffer_unordered(FOOTERS_IN_FLIGHT)
            .try_any(|found| {
                let written = found.as_deref().unwrap_or(keep_fingerprint);
                std::future::ready(written != fingerprint)
            })
            .await?;
        if other {
            changed.push(*day);
        }
    }
    Ok(changed)
}

/// The data files a reader sees in `table`'s partition for `day`.
async fn live_files(dataset: &Dataset, table: Table, day: &Interval) -> Result<Vec<(Path, u64)>> {
    if dataset.format() == super::Format::Delta {
        // Removed files stay until vacuum; only the live version counts.
        return super::delta::live_files(dataset, table, day).await;
    }
    let dir = layout::partition_dir(dataset.root(), table, dataset.vendor(), day);
    let listed: Vec<_> = dataset.store().list(Some(&dir)).try_collect().await?;
    Ok(listed
        .into_iter()
        .filter(|m| m.location.extension() == Some("parquet"))
        .map(|m| (m.location, m.size))
        .collect())
}

/// The `cxetl.pii` value of one Parquet file, from its footer alone.
async fn footer_fingerprint(dataset: &Dataset, path: &Path, size: u64) -> Result<Option<String>> {
    let corrupt = |what: &str| {
        Error::Storage(format!(
            "earlier file {path} {what}; remove it or re-run its interval"
        ))
    };
    if size < 8 {
        return Err(corrupt("is too short to be Parquet"));
    }
    let tail = dataset.store().get_range(path, size - 8..size).await?;
    let tail: [u8; 8] = tail
        .as_ref()
        .try_into()
        .map_err(|_| corrupt("has no footer"))?;
    let len = FooterTail::try_new(&tail)
        .map_err(|e| corrupt(&format!("has no Parquet footer ({e})")))?
        .metadata_length() as u64;
    if len + 8 > size {
        return Err(corrupt("has a footer longer than the file"));
    }
    let footer = dataset
        .store()
        .get_range(path, size - 8 - len..size - 8)
        .await?;
    let meta = ParquetMetaDataReader::decode_metadata(&footer)
        .map_err(|e| corrupt(&format!("has an unreadable footer ({e})")))?;
    Ok(super::parquet::pii_fingerprint(meta.file_metadata()))
}
