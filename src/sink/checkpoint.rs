//! Crash-resume: after each slice is published, the run records it (with
//! what it wrote) under `_state/`. A run started again with the same
//! arguments after a crash skips those slices and redoes only the rest; its
//! summary still covers the whole interval. A successful run removes the
//! checkpoint, so re-running a finished interval is a plain replace.

use crate::sink::{layout, Dataset};
use crate::summary::SliceResult;
use crate::{Interval, Result};
use std::collections::BTreeMap;
use std::time::Duration;

/// Progress of one run over one interval.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// Identifies the plan: a checkpoint only applies to the same slicing.
    pub plan: String,
    /// The run that wrote it (its staging folder may be left over).
    pub run_id: String,
    /// Published slices by `<stream>/<file stem>`, with what each wrote.
    pub done: BTreeMap<String, SliceResult>,
}

impl Checkpoint {
    /// The plan fingerprint: vendor, interval, slice length and streams.
    pub fn plan_id(
        dataset: &Dataset,
        interval: &Interval,
        slice_len: Duration,
        streams: &[&str],
    ) -> String {
        let plan = format!(
            "{}|{}|{}s|{}",
            dataset.vendor(),
            interval.file_stem(),
            slice_len.as_secs(),
            streams.join(",")
        );
        // Slices published under one policy are not resumed under another.
        match dataset.pii().keeps_everything() {
            true => plan,
            false => format!("{plan}|pii={}", dataset.pii().fingerprint()),
        }
    }

    /// Loads the checkpoint of an unfinished earlier run with the same plan.
    pub async fn load(
        dataset: &Dataset,
        interval: &Interval,
        plan: &str,
    ) -> Result<Option<Checkpoint>> {
        let path = layout::state_file(dataset.root(), dataset.vendor(), interval);
        let Some(bytes) = dataset.read_small(&path).await? else {
            return Ok(None);
        };
        match serde_json::from_slice::<Checkpoint>(&bytes) {
            Ok(c) if c.plan == plan => Ok(Some(c)),
            Ok(c) => {
                tracing::info!(earlier = %c.plan, now = %plan, "ignoring the checkpoint of a run with another plan");
                Ok(None)
            }
            Err(e) => {
                tracing::warn!(error = %e, "ignoring an unreadable checkpoint");
                Ok(None)
            }
        }
    }

    /// Records a published slice.
    pub async fn record(
        &mut self,
        dataset: &Dataset,
        interval: &Interval,
        key: String,
        result: &SliceResult,
    ) -> Result<()> {
        self.done.insert(key, result.clone());
        let path = layout::state_file(dataset.root(), dataset.vendor(), interval);
        dataset
            .write_small(
                &path,
                serde_json::to_vec(self).expect("checkpoint serialises"),
            )
            .await
    }

    /// Removes the checkpoint after a successful run.
    pub async fn clear(dataset: &Dataset, interval: &Interval) -> Result<()> {
        dataset
            .delete_if_present(&layout::state_file(
                dataset.root(),
                dataset.vendor(),
                interval,
            ))
            .await
    }
}
