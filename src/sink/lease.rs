//! Leases: two runs must never publish into the same date partition at once
//! (their replacements and re-slicing would interleave). A run takes one
//! lease object per UTC date it touches, created only if absent (local:
//! exclusive create; S3: `If-None-Match: *`), in ascending date order, and
//! fails fast with exit 6 when another live run holds one.
//!
//! A lease left behind by a killed run is taken over when its owner is
//! provably gone: same host and its process no longer exists, or no
//! heartbeat for [`STALE_AFTER`]. The takeover itself is atomic with only
//! create-if-absent (local disk has no compare-and-swap in object_store):
//! of all runs that read the same stale content, only the one that creates
//! the takeover marker named by that content's hash may remove the lease,
//! and only if the lease still holds that content; the lease is then taken
//! with create-if-absent like any other. So at most one run wins.

use super::{layout, Dataset};
use crate::{Error, Result};
use chrono::{NaiveDate, Utc};
use object_store::{PutMode, PutOptions, PutPayload};
use std::time::Duration;

/// How often a holder refreshes its leases.
pub const HEARTBEAT: Duration = Duration::from_secs(60);
/// A lease not refreshed for this long belongs to a dead run.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Who holds a lease (stored as its JSON content).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Holder {
    /// Run id of the holder.
    pub run_id: String,
    /// Host name of the holder.
    pub host: String,
    /// Process id on that host.
    pub pid: u32,
    /// When the lease was taken (RFC 3339).
    pub since: String,
    /// The holder's interval, for the error message.
    pub interval: String,
}

/// Leases held by this run; released by [`Leases::release`].
pub struct Leases {
    dataset: Dataset,
    held: Vec<object_store::path::Path>,
    /// Takeover markers this run created, removed with its leases.
    markers: Vec<object_store::path::Path>,
    heartbeat: Option<tokio::task::JoinHandle<()>>,
}

/// Takes the leases for `dates` or fails naming the run that holds one.
pub async fn acquire(
    dataset: &Dataset,
    dates: &[NaiveDate],
    interval: &crate::Interval,
) -> Result<Leases> {
    let me = Holder {
        run_id: dataset.run_id().to_string(),
        host: host_name(),
        pid: std::process::id(),
        since: crate::interval::fmt_rfc3339(Utc::now()),
        interval: interval.to_string(),
    };
    let payload = serde_json::to_vec(&me).expect("lease serialises");
    let mut leases = Leases {
        dataset: dataset.clone(),
        held: Vec::new(),
        markers: Vec::new(),
        heartbeat: None,
    };
    let mut dates = dates.to_vec();
    dates.sort();
    dates.dedup();
    for date in dates {
        let path = layout::lease_file(dataset.root(), dataset.vendor(), date);
        if let Err(e) = take(dataset, &path, &payload, &mut leases.markers).await {
            leases.release().await;
            return Err(e);
        }
        leases.held.push(path);
    }
    tracing::info!(leases = leases.held.len(), "leases taken");
    let (store, held) = (dataset.store().clone(), leases.held.clone());
    leases.heartbeat = Some(tokio::spawn(async move {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            for path in &held {
                if let Err(e) = store.put(path, PutPayload::from(payload.clone())).await {
                    tracing::warn!(error = %e, lease = %path, "could not refresh a lease");
                }
            }
        }
    }));
    Ok(leases)
}

/// Attempts at taking one lease: create, or take over a stale one and create.
const TAKE_ATTEMPTS: usize = 3;

async fn take(
    dataset: &Dataset,
    path: &object_store::path::Path,
    payload: &[u8],
    markers: &mut Vec<object_store::path::Path>,
) -> Result<()> {
    let store = dataset.store();
    let mut holder = None;
    for _ in 0..TAKE_ATTEMPTS {
        match create(dataset, path, payload).await {
            Ok(()) => return Ok(()),
            Err(Created::Unsupported) => {
                tracing::warn!(
                    "the output store cannot create-if-absent; concurrent runs are not detected"
                );
                return Ok(());
            }
            Err(Created::Failed(e)) => return Err(e.into()),
            Err(Created::Exists) => {}
        }
        let Some((content, age)) = read(dataset, path).await? else {
            // Released between our create and our read: try again.
            continue;
        };
        holder = serde_json::from_slice::<Holder>(&content).ok();
        if !is_stale(holder.as_ref(), age) {
            break;
        }
        let marker = takeover_marker(path, &content);
        match create(dataset, &marker, payload).await {
            Ok(()) => {
                markers.push(marker);
                // Removed only while it still holds what we judged stale: a
                // run that took it over since is never disturbed.
                if read(dataset, path)
                    .await?
                    .is_some_and(|(now, _)| now == content)
                {
                    tracing::warn!(lease = %path, holder = ?holder, "taking over the lease of a run that is gone");
                    match store.delete(path).await {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            // Another run is taking this stale lease over; it wins.
            Err(Created::Exists) => break,
            Err(Created::Unsupported) => return Ok(()),
            Err(Created::Failed(e)) => return Err(e.into()),
        }
    }
    let who = holder.map_or_else(
        || "another run".to_string(),
        |h| {
            format!(
                "run {} (pid {} on {}, since {}, interval {})",
                h.run_id, h.pid, h.host, h.since, h.interval
            )
        },
    );
    Err(Error::Storage(format!(
        "{who} is writing {path}'s partition; overlapping runs would corrupt each other. \
         Wait for it to finish (a dead run's lease expires after {} min)",
        STALE_AFTER.as_secs() / 60
    )))
}

/// Why a create-if-absent did not create.
enum Created {
    Exists,
    Unsupported,
    Failed(object_store::Error),
}

async fn create(
    dataset: &Dataset,
    path: &object_store::path::Path,
    payload: &[u8],
) -> std::result::Result<(), Created> {
    let opts = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    match dataset
        .store()
        .put_opts(path, PutPayload::from(payload.to_vec()), opts)
        .await
    {
        Ok(_) => Ok(()),
        Err(object_store::Error::AlreadyExists { .. })
        | Err(object_store::Error::Precondition { .. }) => Err(Created::Exists),
        Err(object_store::Error::NotImplemented) => Err(Created::Unsupported),
        Err(e) => Err(Created::Failed(e)),
    }
}

/// The lease's content and age; `None` when it is gone.
async fn read(
    dataset: &Dataset,
    path: &object_store::path::Path,
) -> Result<Option<(bytes::Bytes, Duration)>> {
    match dataset.store().get(path).await {
        Ok(r) => {
            let modified = r.meta.last_modified;
            let content = r.bytes().await?;
            let age = (Utc::now() - modified).to_std().unwrap_or_default();
            Ok(Some((content, age)))
        }
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The one object whose creation entitles a run to remove the lease at
/// `path` while it holds `content` (the hash names the content: the same
/// binary computes the same value in every process).
fn takeover_marker(path: &object_store::path::Path, content: &[u8]) -> object_store::path::Path {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    content.hash(&mut h);
    object_store::path::Path::from(format!("{path}.takeover-{:016x}", h.finish()))
}

fn is_stale(holder: Option<&Holder>, age: Duration) -> bool {
    if age > STALE_AFTER {
        return true;
    }
    match holder {
        Some(h) if h.host == host_name() => h.pid != std::process::id() && !process_alive(h.pid),
        Some(_) => false,
        // Unreadable content: only age can tell.
        None => false,
    }
}

fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown-host".into())
}

impl Leases {
    /// Gives the leases back (best effort; a failure only delays the next run).
    pub async fn release(mut self) {
        if let Some(h) = self.heartbeat.take() {
            h.abort();
        }
        if !self.held.is_empty() {
            tracing::info!(leases = self.held.len(), "releasing leases");
        }
        for path in std::mem::take(&mut self.held) {
            if let Err(e) = self.dataset.store().delete(&path).await {
                tracing::warn!(error = %e, lease = %path, "could not release a lease");
            }
        }
        for marker in std::mem::take(&mut self.markers) {
            let _ = self.dataset.store().delete(&marker).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::store;

    /// A lease of a run that is gone: this host, a pid that cannot exist.
    fn dead_holder() -> Vec<u8> {
        serde_json::to_vec(&Holder {
            run_id: "dead-run".into(),
            host: host_name(),
            pid: u32::MAX - 1,
            since: "2026-11-23T00:00:00Z".into(),
            interval: "[2026-11-23, 2026-11-24)".into(),
        })
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn of_many_runs_racing_for_a_stale_lease_exactly_one_wins() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let interval = crate::Interval::parse("2026-11-23", "2026-11-24").unwrap();
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let location = store::open(dir.path().to_str().unwrap()).unwrap();
            let dataset = Dataset::new(location.clone(), crate::Vendor::Genesys, "seed");
            let path = layout::lease_file(dataset.root(), dataset.vendor(), date);
            dataset.write_small(&path, dead_holder()).await.unwrap();
            let racers: Vec<_> = (0..12)
                .map(|i| {
                    let d = Dataset::new(
                        location.clone(),
                        crate::Vendor::Genesys,
                        format!("racer-{i}"),
                    );
                    tokio::spawn(async move {
                        let taken = acquire(&d, &[date], &interval).await;
                        // Hold on to a won lease until every racer is done.
                        taken.ok().map(|l| (d.run_id().to_string(), l))
                    })
                })
                .collect();
            let mut winners = Vec::new();
            for r in racers {
                if let Some(w) = r.await.unwrap() {
                    winners.push(w);
                }
            }
            assert_eq!(
                winners.len(),
                1,
                "round {round}: winners {:?}",
                winners.iter().map(|w| &w.0).collect::<Vec<_>>()
            );
            let (winner, leases) = winners.pop().unwrap();
            let (content, _) = read(&dataset, &path).await.unwrap().unwrap();
            let holder: Holder = serde_json::from_slice(&content).unwrap();
            assert_eq!(holder.run_id, winner, "the lease names the one winner");
            leases.release().await;
            assert!(read(&dataset, &path).await.unwrap().is_none());
            let left: Vec<_> = std::fs::read_dir(dir.path().join("_leases/vendor=genesys"))
                .unwrap()
                .collect();
            assert!(
                left.is_empty(),
                "release removes the lease and its takeover marker"
            );
        }
    }

    #[tokio::test]
    async fn a_live_lease_is_never_taken_over() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let interval = crate::Interval::parse("2026-11-23", "2026-11-24").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let location = store::open(dir.path().to_str().unwrap()).unwrap();
        let first = Dataset::new(location.clone(), crate::Vendor::Genesys, "first");
        let held = acquire(&first, &[date], &interval).await.unwrap();
        let second = Dataset::new(location, crate::Vendor::Genesys, "second");
        let e = acquire(&second, &[date], &interval).await.err().unwrap();
        assert!(e.to_string().contains("run first"), "{e}");
        held.release().await;
        acquire(&second, &[date], &interval)
            .await
            .unwrap()
            .release()
            .await;
    }
}
