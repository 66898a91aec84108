//! `cxetl run <vendor>`: resolve settings, connect, extract, print the
//! summary line.

use crate::cli::RunArgs;
use cxetl::connector::{select_streams, Connector, Stream, StreamKind};
use cxetl::pipeline::{self, RunConfig, RunOutcome};
use cxetl::settings::Settings;
use cxetl::sink::store;
use cxetl::{vendors, Error, Interval, Result};
use std::sync::Arc;

/// Runs `cxetl run`; `show_progress` draws the terminal status line.
pub async fn run(args: RunArgs, show_progress: bool) -> Result<()> {
    let settings = Settings::resolve(args.vendor, args.options, args.config.as_deref())?;
    let interval =
        Interval::parse(&args.start, &args.end).map_err(|e| Error::Config(e.to_string()))?;
    let interval = match settings.run.lookback {
        Some(back) => widen(interval, back)?,
        None => interval,
    };
    interval
        .plausible(
            chrono::Utc::now(),
            chrono_duration(settings.run.max_interval)?,
        )
        .map_err(|e| Error::Config(e.to_string()))?;
    let output = settings.run.output.clone().ok_or_else(|| {
        Error::Config(
            "--output is required: a local directory, file:///abs/path or s3://bucket/prefix"
                .into(),
        )
    })?;
    let connector = vendors::connect(&settings)?;
    let streams = select_streams(connector.as_ref(), settings.run.streams.as_deref())?;
    if args.dry_run {
        return dry_run(&settings, connector.as_ref(), &streams, interval, &output);
    }
    let config = RunConfig {
        interval,
        output: store::open(&output)?,
        slice_len: settings.run.slice_len,
        concurrency: settings.run.concurrency,
        max_bad_records: settings.run.max_bad_records,
        snapshot_max_age: settings.run.snapshot_max_age,
        format: settings.run.format,
        run_id: pipeline::new_run_id(),
        pii: settings.pii.clone(),
        progress: pipeline::progress::Progress::new(show_progress),
    };
    execute(config, connector, streams, args.summary_file.as_deref()).await
}

fn chrono_duration(d: std::time::Duration) -> Result<chrono::Duration> {
    chrono::Duration::from_std(d).map_err(|_| Error::Config("--max-interval is too long".into()))
}

/// `--lookback`: the interval with its start moved back, so the trailing
/// days are re-extracted (their partitions are replaced, not duplicated).
fn widen(interval: Interval, back: std::time::Duration) -> Result<Interval> {
    let start = chrono::Duration::from_std(back)
        .ok()
        .and_then(|back| interval.start().checked_sub_signed(back))
        .ok_or_else(|| Error::Config("--lookback is too long".into()))?;
    Interval::new(start, interval.end()).map_err(|e| Error::Config(e.to_string()))
}

/// `--dry-run`: validates the settings and prints the plan without any
/// network request or write. Choices that need the vendor (Genesys `auto`)
/// are shown as decided at run time.
fn dry_run(
    settings: &Settings,
    connector: &dyn Connector,
    streams: &[Arc<dyn Stream>],
    interval: Interval,
    output: &str,
) -> Result<()> {
    let slices = pipeline::slices(&interval, settings.run.slice_len)?;
    let vendor = connector.vendor();
    let root = output.trim_end_matches('/');
    let mut plan = Vec::new();
    let today = [pipeline::today()];
    for stream in streams {
        let over = match stream.kind() {
            StreamKind::Interval => &slices[..],
            StreamKind::Snapshot => &today[..],
        };
        plan.extend(stream.plan_offline(over).into_iter().map(|w| (stream, w)));
    }
    let mut text = format!(
        "dry run: {vendor} {interval}, {} slice(s), output {root}; nothing is requested or written\n",
        plan.len()
    );
    let mut json_slices = Vec::with_capacity(plan.len());
    for (stream, work) in &plan {
        let files: Vec<String> = stream
            .tables()
            .iter()
            .map(|t| match settings.run.format {
                cxetl::sink::Format::Parquet => {
                    let rel = cxetl::sink::layout::data_file(
                        &Default::default(),
                        *t,
                        vendor,
                        &work.interval,
                    );
                    format!("{root}/{rel}")
                }
                // Delta data files get unique names at publish; the commit is per table.
                cxetl::sink::Format::Delta => {
                    let rel = cxetl::sink::layout::partition_dir(
                        &Default::default(),
                        *t,
                        vendor,
                        &work.interval,
                    );
                    format!("{root}/{rel}/ (Delta table {root}/{t})", t = t.name())
                }
            })
            .collect();
        let shown = if work.api == "auto" {
            "auto (decided at run time)"
        } else {
            work.api
        };
        text.push_str(&format!(
            "  {}  {}  {shown}\n",
            work.interval,
            stream.name()
        ));
        for f in &files {
            text.push_str(&format!("      {f}\n"));
        }
        json_slices.push(serde_json::json!({
            "stream": stream.name(),
            "start": cxetl::interval::fmt_rfc3339(work.interval.start()),
            "end": cxetl::interval::fmt_rfc3339(work.interval.end()),
            "mode": work.api,
            "files": files,
        }));
    }
    eprint!("{text}");
    let json = serde_json::json!({
        "dry_run": true,
        "vendor": vendor.as_str(),
        "interval": {
            "start": cxetl::interval::fmt_rfc3339(interval.start()),
            "end": cxetl::interval::fmt_rfc3339(interval.end()),
        },
        "slices": json_slices,
    });
    println!("{json}");
    Ok(())
}

/// Runs the streams of a connector, prints the summary line, returns the run's error.
pub async fn execute(
    config: RunConfig,
    connector: Arc<dyn Connector>,
    streams: Vec<Arc<dyn Stream>>,
    summary_file: Option<&std::path::Path>,
) -> Result<()> {
    let span = tracing::info_span!("run", run_id = %config.run_id, vendor = %connector.vendor(), interval = %config.interval);
    let RunOutcome { summary, mut error } =
        tracing::Instrument::instrument(pipeline::run(config, connector, streams), span).await;
    let line = serde_json::to_string(&summary).expect("summary serialises");
    println!("{line}");
    if let Some(path) = summary_file {
        // Written whole or not at all, so a reader never sees half a summary.
        let partial = path.with_extension("json.partial");
        let written = std::fs::write(&partial, format!("{line}\n"))
            .and_then(|()| std::fs::rename(&partial, path));
        if let Err(e) = written {
            let e = Error::Storage(format!("--summary-file {}: {e}", path.display()));
            tracing::error!("{e}");
            error.get_or_insert(e);
        }
    }
    error.map_or(Ok(()), Err)
}
