//! Log replay: a table's state at its latest version, from the newest
//! complete Parquet checkpoint (ours or another tool's) and the JSON
//! commits after it, then kept current by reading only the commits that
//! appeared since.

use super::actions::{parse_commit, Action, Add, Metadata, Protocol, Remove};
use super::checkpoint;
use crate::{Error, Result};
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::ObjectStore;
use std::collections::BTreeMap;

/// Highest protocol versions this writer implements.
pub const READER_VERSION: i32 = 1;
/// See [`READER_VERSION`].
pub const WRITER_VERSION: i32 = 2;

/// `<table>/_delta_log/`.
pub fn log_dir(table_root: &Path) -> Path {
    table_root.child("_delta_log")
}

/// The commit file of `version`.
pub fn commit_path(table_root: &Path, version: i64) -> Path {
    log_dir(table_root).child(format!("{version:020}.json"))
}

/// A table's state at `version`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The table folder.
    pub root: Path,
    /// Latest version read; `None` while the table has no commit.
    pub version: Option<i64>,
    /// Current protocol.
    pub protocol: Option<Protocol>,
    /// Current metadata.
    pub metadata: Option<Metadata>,
    /// Live data files by path.
    pub files: BTreeMap<String, Add>,
    /// Removed files by path, with when (vacuum waits for the retention).
    pub tombstones: BTreeMap<String, Remove>,
}

impl Snapshot {
    /// The state of a table that does not exist yet.
    pub fn empty(root: Path) -> Self {
        Snapshot {
            root,
            version: None,
            protocol: None,
            metadata: None,
            files: BTreeMap::new(),
            tombstones: BTreeMap::new(),
        }
    }

    /// Reads the table at `root` at its latest version.
    pub async fn load(store: &dyn ObjectStore, root: Path) -> Result<Snapshot> {
        let mut snapshot = Snapshot::empty(root);
        let listed: Vec<_> = store
            .list(Some(&log_dir(&snapshot.root)))
            .try_collect()
            .await?;
        let mut parts: BTreeMap<i64, (usize, Vec<Path>)> = BTreeMap::new();
        let mut first_commit = None::<i64>;
        for meta in &listed {
            let Some(name) = meta.location.filename() else {
                continue;
            };
            if let Some(v) = name
                .strip_suffix(".json")
                .and_then(|s| s.parse::<i64>().ok())
            {
                first_commit = Some(first_commit.map_or(v, |f: i64| f.min(v)));
            } else if let Some((v, of)) = checkpoint::parse_name(name) {
                let entry = parts.entry(v).or_insert((of, Vec::new()));
                entry.1.push(meta.location.clone());
            }
        }
        // The newest checkpoint with all its parts present.
        let complete = parts
            .into_iter()
            .rev()
            .find(|(_, (of, found))| found.len() == *of);
        if let Some((version, (_, mut files))) = complete {
            files.sort();
            for file in files {
                let bytes = store.get(&file).await?.bytes().await?;
                let actions = checkpoint::read(bytes).map_err(|e| {
                    Error::Storage(format!("Delta checkpoint {file} is unreadable: {e}"))
                })?;
                snapshot.apply(&actions);
            }
            snapshot.version = Some(version);
        } else if first_commit.is_some_and(|v| v > 0) {
            return Err(Error::Storage(format!(
                "the Delta log at {} starts at version {} without a checkpoint; it cannot be replayed",
                snapshot.root,
                first_commit.unwrap_or_default()
            )));
        }
        snapshot.update(store).await?;
        Ok(snapshot)
    }

    /// Reads the commits after the current version; returns them in order.
    pub async fn update(&mut self, store: &dyn ObjectStore) -> Result<Vec<Vec<Action>>> {
        let mut read = Vec::new();
        loop {
            let next = self.next_version();
            let path = commit_path(&self.root, next);
            let bytes = match store.get(&path).await {
                Ok(r) => r.bytes().await?,
                Err(object_store::Error::NotFound { .. }) => return Ok(read),
                Err(e) => return Err(e.into()),
            };
            let actions = parse_commit(&bytes)
                .map_err(|e| Error::Storage(format!("Delta commit {path} is unreadable: {e}")))?;
            self.apply(&actions);
            self.version = Some(next);
            read.push(actions);
        }
    }

    /// The version the next commit gets.
    pub fn next_version(&self) -> i64 {
        self.version.map_or(0, |v| v + 1)
    }

    /// Applies one commit's (or checkpoint's) actions.
    pub fn apply(&mut self, actions: &[Action]) {
        for a in actions {
            if let Some(p) = &a.protocol {
                self.protocol = Some(p.clone());
            }
            if let Some(m) = &a.meta_data {
                self.metadata = Some(m.clone());
            }
            if let Some(add) = &a.add {
                self.tombstones.remove(&add.path);
                self.files.insert(add.path.clone(), add.clone());
            }
            if let Some(remove) = &a.remove {
                self.files.remove(&remove.path);
                self.tombstones.insert(remove.path.clone(), remove.clone());
            }
        }
    }

    /// Refuses a table whose protocol is above what this writer implements:
    /// writing it could break features (deletion vectors, column mapping…)
    /// that its readers rely on.
    pub fn check_writable(&self) -> Result<()> {
        match &self.protocol {
            Some(p)
                if p.min_reader_version > READER_VERSION
                    || p.min_writer_version > WRITER_VERSION =>
            {
                let features: Vec<String> = p
                    .reader_features
                    .iter()
                    .chain(&p.writer_features)
                    .flatten()
                    .cloned()
                    .collect();
                Err(Error::Storage(format!(
                    "the Delta table {} requires protocol reader {} / writer {}{}; cxetl writes protocol {READER_VERSION}/{WRITER_VERSION} only and will not change it. \
                     Write to another --output, or recreate the table without those features",
                    self.root,
                    p.min_reader_version,
                    p.min_writer_version,
                    if features.is_empty() { String::new() } else { format!(" (features: {})", features.join(", ")) }
                )))
            }
            _ => Ok(()),
        }
    }

    /// The table property `key`, if set.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.configuration.get(key)?.as_deref()
    }

    /// The object path of a file named by the log (a relative, percent-encoded URI).
    pub fn object_path(&self, log_path: &str) -> Path {
        let decoded = percent_encoding::percent_decode_str(log_path).decode_utf8_lossy();
        decoded
            .split('/')
            .filter(|p| !p.is_empty())
            .fold(self.root.clone(), |acc, part| acc.child(part))
    }
}
