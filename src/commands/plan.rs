//! `cxetl plan <vendor>`: the shards of an interval as one JSON line, each
//! with the exact `cxetl run` arguments (secrets stay in the environment).

use crate::cli::PlanArgs;
use cxetl::connector::{select_streams, StreamKind};
use cxetl::pipeline::plan;
use cxetl::settings::Settings;
use cxetl::{vendors, Error, Interval, Result};

pub fn plan(args: PlanArgs) -> Result<()> {
    let passed = passed_on(&args);
    let settings = Settings::resolve(args.vendor, args.options, args.config.as_deref())?;
    let interval =
        Interval::parse(&args.start, &args.end).map_err(|e| Error::Config(e.to_string()))?;
    interval
        .plausible(
            chrono::Utc::now(),
            chrono::Duration::from_std(settings.run.max_interval)
                .map_err(|_| Error::Config("--max-interval is too long".into()))?,
        )
        .map_err(|e| Error::Config(e.to_string()))?;
    let connector = vendors::connect(&settings)?;
    let streams = select_streams(connector.as_ref(), settings.run.streams.as_deref())?;
    let of_kind = |kind| -> Vec<&'static str> {
        streams
            .iter()
            .filter(|s| s.kind() == kind)
            .map(|s| s.name())
            .collect()
    };
    let shards = plan::shards(
        &interval,
        args.shards,
        &of_kind(StreamKind::Interval),
        &of_kind(StreamKind::Snapshot),
        settings.http.rate_per_minute,
        args.total_rate_per_minute,
    );
    let fmt = cxetl::interval::fmt_rfc3339;
    let json: Vec<serde_json::Value> = shards
        .iter()
        .map(|s| {
            let mut run = vec![
                "run".to_string(),
                args.vendor.to_string(),
                "--start".into(),
                fmt(s.interval.start()),
                "--end".into(),
                fmt(s.interval.end()),
                "--streams".into(),
                s.streams.join(","),
                "--rate-per-minute".into(),
                s.rate_per_minute.to_string(),
            ];
            run.extend(passed.iter().cloned());
            serde_json::json!({
                "start": fmt(s.interval.start()),
                "end": fmt(s.interval.end()),
                "streams": s.streams,
                "rate_per_minute": s.rate_per_minute,
                "args": run,
            })
        })
        .collect();
    println!("{}", serde_json::json!({ "shards": json }));
    Ok(())
}

/// The options every shard repeats; never a secret (those stay in the
/// environment or the config file), never `--streams`, `--rate-per-minute`
/// or `--lookback` (the plan sets the first two per shard; a lookback
/// would make shards overlap: widen `--start` instead).
fn passed_on(args: &PlanArgs) -> Vec<String> {
    let run = &args.options.run;
    let mut out = Vec::new();
    let mut pass = |flag: &str, value: Option<String>| {
        if let Some(v) = value {
            out.extend([flag.to_string(), v]);
        }
    };
    pass(
        "--config",
        args.config.as_ref().map(|p| p.display().to_string()),
    );
    pass("--output", run.output.clone());
    pass("--slice", run.slice.clone());
    pass("--concurrency", run.concurrency.map(|n| n.to_string()));
    pass(
        "--max-bad-records",
        run.max_bad_records.map(|n| n.to_string()),
    );
    pass("--max-attempts", run.max_attempts.map(|n| n.to_string()));
    pass("--max-interval", run.max_interval.clone());
    pass("--snapshot-max-age", run.snapshot_max_age.clone());
    pass("--format", run.format.map(|f| f.to_string()));
    pass("--genesys-api", args.options.genesys.api.clone());
    pass("--cxone-top", args.options.cxone.top.map(|n| n.to_string()));
    // Every shard applies the same personal-data policy (the key itself
    // stays in the environment: args never carry a secret).
    pass("--pii", args.options.pii.default.clone());
    pass(
        "--pii-attributes-keep",
        args.options
            .pii
            .attributes_keep
            .as_ref()
            .map(|k| k.join(",")),
    );
    out
}
