//! One run: plan slices, extract each through its vendor source, transform
//! and stage its pages, publish it, and summarise what was written.

pub mod checkpoint;
pub mod progress;
pub mod slice;
pub mod source;

use crate::http::ApiClient;
use crate::sink::{lease, Dataset, Location};
use crate::summary::{SliceResult, Summary, SummaryBuilder};
use crate::{Error, Interval, Result};
use checkpoint::Checkpoint;
use futures::{StreamExt, TryStreamExt};
use slice::SliceConsumer;
pub use source::{PlannedSlice, Source};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Options common to every vendor's run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run's half-open interval; it owns conversations starting in it.
    pub interval: Interval,
    /// Where the lake lives.
    pub output: Location,
    /// Longest slice (slices never cross UTC midnight either).
    pub slice_len: Duration,
    /// Slices extracted at once (they share one rate limiter).
    pub concurrency: usize,
    /// Quarantined records tolerated before exit 7 (`None` = any number).
    pub max_bad_records: Option<u64>,
    /// Names the staging folder and tags the logs.
    pub run_id: String,
    /// Live counters for the terminal status line (hidden by default).
    pub progress: progress::Progress,
}

/// The result of a run: always a summary, and the error that stopped it.
pub struct RunOutcome {
    /// Summary of what was written (status `failed` when `error` is set).
    pub summary: Summary,
    /// The failure, mapped to an exit code by `main`.
    pub error: Option<Error>,
}

/// A new run id: UTC time plus randomness, sortable and unique enough.
pub fn new_run_id() -> String {
    format!(
        "{}-{:06x}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
        fastrand::u32(..0x1000000)
    )
}

/// Extracts `opts.interval` from `source` into the lake.
pub async fn run(opts: RunOptions, source: Source, client: ApiClient) -> RunOutcome {
    let started = Instant::now();
    let vendor = source.vendor();
    let tables = source.tables();
    let table_names: Vec<&str> = tables.iter().map(|t| t.name()).collect();
    let dataset = Dataset::new(opts.output.clone(), vendor, opts.run_id.clone());
    let mut summary = SummaryBuilder::new(
        vendor,
        &opts.interval,
        &opts.run_id,
        dataset.display(),
        &table_names,
    );

    let result = async {
        dataset.preflight().await?;
        let dates: Vec<_> = opts
            .interval
            .slices(chrono::Duration::days(1))
            .iter()
            .map(|s| s.start_date())
            .collect();
        let leases = lease::acquire(&dataset, &dates, &opts.interval).await?;
        let outcome = extract_all(&opts, &source, &client, &dataset, &mut summary).await;
        leases.release().await;
        outcome
    }
    .await;

    finish(summary, &dataset, &opts, &client, started, result).await
}

async fn extract_all(
    opts: &RunOptions,
    source: &Source,
    client: &ApiClient,
    dataset: &Dataset,
    summary: &mut SummaryBuilder,
) -> Result<()> {
    // Fail on bad credentials in seconds, before any planning.
    client.token().await?;
    let plan = source.plan(&opts.interval, opts.slice_len).await?;
    summary.planned(plan.len());
    opts.progress.planned(plan.len());
    let _line = opts.progress.spawn(client.clone());
    let plan_id = Checkpoint::plan_id(dataset, &opts.interval, opts.slice_len);
    let mut checkpoint = match Checkpoint::load(dataset, &opts.interval, &plan_id).await? {
        Some(earlier) => {
            tracing::info!(earlier_run = %earlier.run_id, done = earlier.done.len(), "resuming an interrupted run");
            dataset.clean_staging_of(&earlier.run_id).await;
            Checkpoint {
                run_id: opts.run_id.clone(),
                ..earlier
            }
        }
        None => Checkpoint {
            plan: plan_id,
            run_id: opts.run_id.clone(),
            done: Default::default(),
        },
    };
    let todo: Vec<PlannedSlice> = plan
        .into_iter()
        .filter(|p| match checkpoint.done.get(&p.interval.file_stem()) {
            Some(done) => {
                summary.add_slice(done);
                false
            }
            None => true,
        })
        .collect();
    tracing::info!(slices = todo.len(), resumed = checkpoint.done.len(), interval = %opts.interval, "plan ready");

    let mut results = futures::stream::iter(todo)
        .map(|planned| async move {
            extract_slice(source, dataset, planned)
                .await
                .map(|r| (planned, r))
        })
        .buffer_unordered(opts.concurrency.max(1));
    while let Some((planned, slice)) = results.try_next().await? {
        checkpoint
            .record(dataset, &opts.interval, &planned.interval, &slice)
            .await?;
        opts.progress.slice_done(slice.conversations, slice.pages);
        summary.add_slice(&slice);
    }
    Checkpoint::clear(dataset, &opts.interval).await
}

async fn extract_slice(
    source: &Source,
    dataset: &Dataset,
    planned: PlannedSlice,
) -> Result<SliceResult> {
    let tables = source.tables();
    let span = tracing::info_span!("slice", slice = %planned.interval, mode = ?planned.mode);
    async move {
        let mut consumer = SliceConsumer::new(
            dataset.clone(),
            planned.interval,
            tables,
            source.transform(),
        );
        let report = match source.extract(&planned, &mut consumer).await {
            Ok(report) => report,
            Err(e) => {
                consumer.abort().await;
                return Err(e);
            }
        };
        let (staged, mut result) = consumer.finish().await?;
        crate::failpoint::hit(crate::failpoint::points::STAGED);
        result.files = dataset.publish(&planned.interval, tables, staged).await?;
        crate::failpoint::hit(crate::failpoint::points::PUBLISHED);
        result.api_total_hits = report.api_total_hits;
        result.jobs_submitted = u64::from(report.jobs_submitted);
        result.jobs_failed = u64::from(report.jobs_failed);
        tracing::info!(
            conversations = result.conversations,
            pages = report.pages,
            quarantined = result.quarantined,
            "slice published"
        );
        Ok(result)
    }
    .instrument(span)
    .await
}
async fn finish(
    summary: SummaryBuilder,
    dataset: &Dataset,
    opts: &RunOptions,
    client: &ApiClient,
    started: Instant,
    result: Result<()>,
) -> RunOutcome {
    let mut error = result.err();
    if error.is_none() {
        if let Some(limit) = opts.max_bad_records {
            let count = summary.quarantined();
            if count > limit {
                error = Some(Error::TooManyBadRecords { count, limit });
            }
        }
    }
    let summary = summary.finish(
        client.stats(),
        started.elapsed().as_secs_f64(),
        error.as_ref().map(|e| e.to_string()),
    );
    let json = serde_json::to_vec(&summary).expect("summary serialises");
    if let Err(e) = dataset.write_summary(&opts.interval, &json).await {
        tracing::warn!(error = %e, "could not store the summary under _summaries/");
        error.get_or_insert(e);
    }
    dataset.clean_staging().await;
    RunOutcome { summary, error }
}
