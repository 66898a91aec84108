//! Leases: two runs must never publish into the same date partition at once
//! (their replacements and re-slicing would interleave). A run takes one
//! lease object per UTC date it touches, created only if absent (local:
//! exclusive create; S3: `If-None-Match: *`), in ascending date order, and
//! fails fast with exit 6 when another live run holds one.
//!
//! A lease left behind by a killed run is taken over when its owner is
//! provably gone: same host and its process no longer exists, or no
//! heartbeat for [`STALE_AFTER`].

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
        heartbeat: None,
    };
    let mut dates = dates.to_vec();
    dates.sort();
    dates.dedup();
    for date in dates {
        let path = layout::lease_file(dataset.root(), dataset.vendor(), date);
        if let Err(e) = take(dataset, &path, &payload).await {
            leases.release().await;
            return Err(e);
        }
        leases.held.push(path);
    }
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

async fn take(dataset: &Dataset, path: &object_store::path::Path, payload: &[u8]) -> Result<()> {
    let create = || PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    for attempt in 0..2 {
        match dataset
            .store()
            .put_opts(path, PutPayload::from(payload.to_vec()), create())
            .await
        {
            Ok(_) => return Ok(()),
            Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => {
                let meta = dataset.store().head(path).await.ok();
                let holder: Option<Holder> = match dataset.store().get(path).await {
                    Ok(r) => r
                        .bytes()
                        .await
                        .ok()
                        .and_then(|b| serde_json::from_slice(&b).ok()),
                    Err(_) => None,
                };
                let age = meta
                    .map(|m| (Utc::now() - m.last_modified).to_std().unwrap_or_default())
                    .unwrap_or_default();
                if attempt == 0 && is_stale(holder.as_ref(), age) {
                    tracing::warn!(lease = %path, holder = ?holder, "taking over the lease of a run that is gone");
                    let _ = dataset.store().delete(path).await;
                    continue;
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
                return Err(Error::Storage(format!(
                    "{who} is writing {path}'s partition; overlapping runs would corrupt each other. \
                     Wait for it to finish (a dead run's lease expires after {} min)",
                    STALE_AFTER.as_secs() / 60
                )));
            }
            Err(object_store::Error::NotImplemented) => {
                tracing::warn!(
                    "the output store cannot create-if-absent; concurrent runs are not detected"
                );
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Storage(format!("could not take the lease {path}")))
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
        for path in std::mem::take(&mut self.held) {
            if let Err(e) = self.dataset.store().delete(&path).await {
                tracing::warn!(error = %e, lease = %path, "could not release a lease");
            }
        }
    }
}
