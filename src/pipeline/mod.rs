//! One run: plan each stream's slices, extract them through the vendor's
//! connector, transform and stage their pages, publish them, and summarise
//! what was written.

pub mod plan;
pub mod progress;
pub mod shutdown;
pub mod slice;
pub mod status;

use crate::connector::{Connector, Stream, StreamKind, Work};
use crate::sink::checkpoint::Checkpoint;
use crate::sink::provenance::days_under_other_policy;
use crate::sink::{lease, Dataset, Location};
use crate::summary::{SliceResult, Summary, SummaryBuilder};
use crate::{Error, Interval, Result};
use futures::StreamExt;
use slice::SliceConsumer;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// What one run does, resolved from the settings.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The run's half-open interval; it owns records starting in it.
    pub interval: Interval,
    /// Where the lake lives.
    pub output: Location,
    /// Longest slice (slices never cross UTC midnight either).
    pub slice_len: Duration,
    /// Slices extracted at once (they share one rate limiter).
    pub concurrency: usize,
    /// Quarantined records tolerated before exit 7 (`None` = any number).
    pub max_bad_records: Option<u64>,
    /// Snapshots of today younger than this are not taken again.
    pub snapshot_max_age: Duration,
    /// Parquet files or Delta tables.
    pub format: crate::sink::Format,
    /// Names the staging folder and tags the logs.
    pub run_id: String,
    /// Live counters for the terminal status line (hidden by default).
    pub progress: progress::Progress,
    /// What happens to personal data before anything is written.
    pub pii: Arc<crate::transform::pii::PiiPolicy>,
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

/// Most slices one run plans: far above any sensible run (three years of
/// hourly slices is 26,304), low enough that the plan stays small.
pub const MAX_SLICES: u64 = 100_000;

/// The slices of `interval`: at most `slice_len` long, cut at UTC midnights.
/// Refuses, before building it, a plan of more than [`MAX_SLICES`].
pub fn slices(interval: &Interval, slice_len: Duration) -> Result<Vec<Interval>> {
    let len = chrono::Duration::from_std(slice_len)
        .map_err(|_| Error::Config("--slice is too long".into()))?;
    let secs = u64::try_from(interval.duration().num_seconds()).unwrap_or(u64::MAX);
    let days = secs / 86_400 + 2;
    let estimate = (secs / slice_len.as_secs().max(1)).saturating_add(days);
    if estimate > MAX_SLICES {
        return Err(Error::Config(format!(
            "--slice {}s over {interval} makes about {estimate} slices (at most {MAX_SLICES}); use a longer --slice",
            slice_len.as_secs()
        )));
    }
    Ok(interval.slices(len))
}

/// Extracts `config.interval` of `streams` from `connector` into the lake.
pub async fn run(
    mut config: RunConfig,
    connector: Arc<dyn Connector>,
    streams: Vec<Arc<dyn Stream>>,
) -> RunOutcome {
    let started = Instant::now();
    let vendor = connector.vendor();
    let names: Vec<(&str, StreamKind, Vec<&str>)> = streams
        .iter()
        .map(|s| {
            (
                s.name(),
                s.kind(),
                s.tables().iter().map(|t| t.name()).collect(),
            )
        })
        .collect();
    let names: Vec<(&str, StreamKind, &[&str])> = names
        .iter()
        .map(|(s, k, t)| (*s, *k, t.as_slice()))
        .collect();
    let dataset = Dataset::new(config.output.clone(), vendor, config.run_id.clone())
        .with_format(config.format)
        .with_pii(config.pii.clone());
    let mut summary = SummaryBuilder::new(
        vendor,
        &config.interval,
        &config.run_id,
        dataset.display(),
        &names,
    );
    summary.format(config.format);
    summary.pii(&config.pii);

    let result = async {
        dataset.preflight().await?;
        let tables: Vec<_> = streams.iter().flat_map(|s| s.tables().iter().copied()).collect();
        dataset.check_format(&tables).await?;
        let dates: Vec<_> = config
            .interval
            .slices(chrono::Duration::days(1))
            .iter()
            .map(|s| s.start_date())
            .collect();
        let leases = lease::acquire(&dataset, &dates, &config.interval).await?;
        if let Some(whole) = whole_days_if_policy_changed(&dataset, &config, &streams).await? {
            config.interval = whole;
            summary.interval(&whole);
        }
        // Dropping the extraction on a signal cancels its requests and
        // uploads; what it staged is removed with the staging folder below.
        let extraction = extract_all(&config, connector.as_ref(), &streams, &dataset, &mut summary);
        let outcome = tokio::select! {
            biased;
            stop = shutdown::signalled() => {
                tracing::warn!(reason = %stop, "stopping: releasing leases and writing the summary");
                Err(stop)
            }
            done = extraction => done,
        };
        leases.release().await;
        outcome
    }
    .await;

    finish(
        summary,
        &dataset,
        &config,
        connector.as_ref(),
        started,
        result,
    )
    .await
}

/// The run's interval widened to whole UTC days when a partition it writes
/// holds files from a run under another personal-data policy: re-extracting
/// those days replaces their partitions whole, so no partition mixes two
/// policies. The widened days are the run's own dates, already leased.
async fn whole_days_if_policy_changed(
    dataset: &Dataset,
    config: &RunConfig,
    streams: &[Arc<dyn Stream>],
) -> Result<Option<Interval>> {
    let tables: Vec<_> = streams
        .iter()
        .filter(|s| s.kind() == StreamKind::Interval)
        .flat_map(|s| s.tables().iter().copied())
        .collect();
    let days: Vec<Interval> = config
        .interval
        .slices(chrono::Duration::days(1))
        .iter()
        .map(|s| Interval::day(s.start_date()))
        .collect();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(None);
    };
    let whole = Interval::new(first.start(), last.end()).expect("days in order");
    if tables.is_empty() || whole == config.interval {
        return Ok(None);
    }
    let changed = days_under_other_policy(dataset, &tables, &days).await?;
    if changed.is_empty() {
        return Ok(None);
    }
    let dates: Vec<String> = changed.iter().map(|d| d.start_date().to_string()).collect();
    tracing::warn!(
        dates = %dates.join(","),
        pii = config.pii.fingerprint(),
        interval = %whole,
        "these dates hold files written under another personal-data policy: extracting their whole days so each partition is replaced whole, never mixing two policies"
    );
    Ok(Some(whole))
}

/// Today as a whole UTC day: the `snapshot_date` of the snapshots a run takes.
pub fn today() -> Interval {
    Interval::day(chrono::Utc::now().date_naive())
}

/// How old `stream`'s snapshot of `day` is, if one was published.
async fn snapshot_age(
    dataset: &Dataset,
    stream: &dyn Stream,
    day: &Interval,
) -> Result<Option<Duration>> {
    let Some(&table) = stream.tables().first() else {
        return Ok(None);
    };
    Ok(dataset
        .published_at(table, day)
        .await?
        .map(|at| (chrono::Utc::now() - at).to_std().unwrap_or_default()))
}

/// The checkpoint key of one stream's slice.
fn done_key(stream: &dyn Stream, slice: &Interval) -> String {
    format!("{}/{}", stream.name(), slice.file_stem())
}

async fn extract_all(
    config: &RunConfig,
    connector: &dyn Connector,
    streams: &[Arc<dyn Stream>],
    dataset: &Dataset,
    summary: &mut SummaryBuilder,
) -> Result<()> {
    let client = connector.client();
    // Fail on bad credentials in seconds, before any planning.
    client.token().await?;
    let slices = slices(&config.interval, config.slice_len)?;
    let today = [today()];
    let mut plan: Vec<(Arc<dyn Stream>, Work)> = Vec::new();
    // A stream refused for a missing permission fails alone: the others
    // still run and publish, and the run ends with that permission error.
    let mut refused: Option<Error> = None;
    for stream in streams {
        let planned = match stream.kind() {
            StreamKind::Interval => stream.plan(&slices).await,
            StreamKind::Snapshot => {
                if let Some(age) = snapshot_age(dataset, stream.as_ref(), &today[0]).await? {
                    // A snapshot taken under another personal-data policy
                    // is taken again, however recent.
                    if age < config.snapshot_max_age
                        && days_under_other_policy(dataset, stream.tables(), &today)
                            .await?
                            .is_empty()
                    {
                        tracing::info!(
                            stream = stream.name(),
                            age_s = age.as_secs(),
                            "today's snapshot is recent; not listing it again"
                        );
                        summary.stream_skipped(stream.name());
                        continue;
                    }
                }
                stream.plan(&today).await
            }
        };
        match planned {
            Ok(work) => plan.extend(work.into_iter().map(|w| (stream.clone(), w))),
            Err(e @ Error::Permission(_)) => {
                refuse(summary, stream.name(), e, &mut refused);
            }
            Err(e) => return Err(e),
        }
    }
    summary.planned(plan.len());
    config.progress.planned(plan.len());
    let _line = config.progress.spawn(client.clone());
    let stream_names: Vec<&str> = streams.iter().map(|s| s.name()).collect();
    let plan_id = Checkpoint::plan_id(dataset, &config.interval, config.slice_len, &stream_names);
    let mut checkpoint = match Checkpoint::load(dataset, &config.interval, &plan_id).await? {
        Some(earlier) => {
            tracing::info!(earlier_run = %earlier.run_id, done = earlier.done.len(), "resuming an interrupted run");
            dataset.clean_staging_of(&earlier.run_id).await;
            Checkpoint {
                run_id: config.run_id.clone(),
                ..earlier
            }
        }
        None => Checkpoint {
            plan: plan_id,
            run_id: config.run_id.clone(),
            done: Default::default(),
        },
    };
    let todo: Vec<(Arc<dyn Stream>, Work)> = plan
        .into_iter()
        .filter(|(stream, work)| {
            match checkpoint
                .done
                .get(&done_key(stream.as_ref(), &work.interval))
            {
                Some(done) => {
                    summary.add_slice(stream.name(), done);
                    false
                }
                None => true,
            }
        })
        .collect();
    tracing::info!(slices = todo.len(), resumed = checkpoint.done.len(), interval = %config.interval, "plan ready");

    let failed: std::sync::Mutex<Vec<&'static str>> = Default::default();
    let failed = &failed;
    let mut results = futures::stream::iter(todo)
        .map(|(stream, work)| async move {
            let skip = failed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&stream.name());
            if skip {
                return Ok(None);
            }
            match extract_slice(stream.as_ref(), dataset, &work).await {
                Ok(r) => Ok(Some((stream, work, r))),
                Err(e) => Err((stream.name(), e)),
            }
        })
        .buffer_unordered(config.concurrency.max(1));
    loop {
        let (stream, work, slice) = match results.next().await {
            Some(Ok(Some(done))) => done,
            Some(Ok(None)) => continue,
            None => break,
            Some(Err((stream, e @ Error::Permission(_)))) => {
                failed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(stream);
                refuse(summary, stream, e, &mut refused);
                continue;
            }
            Some(Err((stream, e))) => {
                summary.stream_failed(stream, &e.to_string());
                return Err(e);
            }
        };
        checkpoint
            .record(
                dataset,
                &config.interval,
                done_key(stream.as_ref(), &work.interval),
                &slice,
            )
            .await?;
        config.progress.slice_done(slice.conversations, slice.pages);
        summary.add_slice(stream.name(), &slice);
    }
    if let Some(e) = refused {
        // The checkpoint stays: a re-run after the grant redoes only the refused stream.
        return Err(e);
    }
    Checkpoint::clear(dataset, &config.interval).await
}

/// Records a stream refused for a missing permission; the run's error names
/// the first one.
fn refuse(summary: &mut SummaryBuilder, stream: &str, e: Error, first: &mut Option<Error>) {
    tracing::error!(stream, error = %e, "stream refused; the other streams go on");
    summary.stream_failed(stream, &e.to_string());
    let detail = match e {
        Error::Permission(detail) => detail,
        other => other.to_string(),
    };
    first.get_or_insert(Error::Permission(format!("stream {stream}: {detail}")));
}

async fn extract_slice(stream: &dyn Stream, dataset: &Dataset, work: &Work) -> Result<SliceResult> {
    let span = tracing::info_span!("slice", stream = stream.name(), slice = %work.interval, api = work.api);
    async move {
        let mut consumer = SliceConsumer::new(
            dataset.clone(),
            work.interval,
            stream.name(),
            stream.tables(),
            stream.transform(),
        );
        let report = match stream.extract(work, &mut consumer).await {
            Ok(report) => report,
            Err(e) => {
                consumer.abort().await;
                return Err(e);
            }
        };
        let (staged, mut result) = consumer.finish(stream.tables()).await?;
        crate::failpoint::hit(crate::failpoint::points::STAGED);
        result.files = dataset
            .publish(&work.interval, stream.name(), stream.tables(), staged)
            .await?;
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
    config: &RunConfig,
    connector: &dyn Connector,
    started: Instant,
    result: Result<()>,
) -> RunOutcome {
    let mut error = result.err();
    if error.is_none() {
        if let Some(limit) = config.max_bad_records {
            let count = summary.quarantined();
            if count > limit {
                error = Some(Error::TooManyBadRecords { count, limit });
            }
        }
    }
    let summary = summary.finish(
        connector.client().stats(),
        started.elapsed().as_secs_f64(),
        error.as_ref().map(|e| e.to_string()),
    );
    let json = serde_json::to_vec(&summary).expect("summary serialises");
    if let Err(e) = dataset.write_summary(&config.interval, &json).await {
        tracing::warn!(error = %e, "could not store the summary under _summaries/");
        error.get_or_insert(e);
    }
    dataset.clean_staging().await;
    RunOutcome { summary, error }
}
