//! One commit: the next version's JSON written only if absent, so of two
//! writers racing for a version exactly one wins; the other re-reads the
//! log and tries the next version (see `commit_table` in the parent module for when it may).

use super::actions::{commit_bytes, Action};
use super::log::commit_path;
use crate::{Error, Result};
use object_store::path::Path;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};

/// Writes `actions` as version `version` of the table at `root`; `false`
/// when another writer took that version first.
pub async fn put_if_absent(
    store: &dyn ObjectStore,
    root: &Path,
    version: i64,
    actions: &[Action],
) -> Result<bool> {
    let path = commit_path(root, version);
    let opts = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    let payload = PutPayload::from(commit_bytes(actions));
    // Transient failures are retried by the store's own client; a request
    // that timed out after the server created the object comes back as
    // AlreadyExists and is told apart from a lost race by its content.
    match store.put_opts(&path, payload, opts).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::AlreadyExists { .. })
        | Err(object_store::Error::Precondition { .. }) => {
            let existing = store.get(&path).await?.bytes().await?;
            Ok(existing.as_ref() == commit_bytes(actions).as_slice())
        }
        Err(object_store::Error::NotImplemented) => Err(Error::Storage(format!(
            "the output store cannot create {path} only if absent, which Delta commits need; use --format parquet with this store"
        ))),
        Err(e) => Err(e.into()),
    }
}
