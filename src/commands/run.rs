//! `cxetl run <vendor>`: resolve settings, extract, print the summary line.

use crate::cli::{CxoneArgs, GenesysArgs, RunArgs};
use cxetl::config::{self, pick, CxoneFile, FileConfig, GenesysFile};
use cxetl::http::{ApiClient, ClientConfig};
use cxetl::pipeline::{self, RunOptions, RunOutcome, Source};
use cxetl::sink::store;
use cxetl::sources::cxone::auth::AccessKey;
use cxetl::sources::cxone::{Cxone, CxoneSettings};
use cxetl::sources::genesys::{
    self, ApiMode, ClientCredentials, Genesys, GenesysHints, GenesysSettings,
};
use cxetl::{Error, Interval, Result, Secret, Vendor};
use std::sync::Arc;
use std::time::Duration;

/// Default request budget: Genesys's per-token platform limit.
const DEFAULT_RATE_PER_MINUTE: u32 = 300;
const DEFAULT_CONCURRENCY: usize = 4;
const DEFAULT_SLICE: &str = "1d";

/// Runs `cxetl run`; `show_progress` draws the terminal status line.
pub async fn run(args: RunArgs, show_progress: bool) -> Result<()> {
    let file = FileConfig::load(args.config.as_deref())?;
    let interval =
        Interval::parse(&args.start, &args.end).map_err(|e| Error::Config(e.to_string()))?;
    let interval = match pick(args.lookback.clone(), file.run.lookback.clone()) {
        Some(text) => widen(interval, &text)?,
        None => interval,
    };
    let output = pick(args.output.clone(), file.run.output.clone()).ok_or_else(|| {
        Error::Config(
            "--output is required: a local directory, file:///abs/path or s3://bucket/prefix"
                .into(),
        )
    })?;
    let slice =
        pick(args.slice.clone(), file.run.slice.clone()).unwrap_or_else(|| DEFAULT_SLICE.into());
    let slice_len =
        config::parse_duration(&slice).map_err(|e| Error::Config(format!("--slice: {e}")))?;
    if args.dry_run {
        return dry_run(&args, &file, interval, &output, slice_len);
    }
    let opts = RunOptions {
        interval,
        output: store::open(&output)?,
        slice_len,
        concurrency: pick(args.concurrency, file.run.concurrency)
            .unwrap_or(DEFAULT_CONCURRENCY)
            .max(1),
        max_bad_records: pick(args.max_bad_records, file.run.max_bad_records),
        run_id: pipeline::new_run_id(),
        progress: pipeline::progress::Progress::new(show_progress),
    };
    let mut client_config = ClientConfig {
        rate_per_minute: pick(args.rate_per_minute, file.run.rate_per_minute)
            .unwrap_or(DEFAULT_RATE_PER_MINUTE),
        ..ClientConfig::default()
    };
    if let Some(n) = pick(args.max_attempts, file.run.max_attempts) {
        client_config.retry.max_attempts = n.max(1);
    }
    match args.vendor {
        Vendor::Genesys => {
            let mode = genesys_mode(&args, &file)?;
            let mut settings = genesys_settings(&args.genesys, &file.genesys)?;
            if let Some(ms) = std::env::var("CXETL_JOB_POLL_MS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
            {
                // Tuning knob for simulators and tests; real Genesys wants gentle polling.
                settings.job_poll_initial = Duration::from_millis(ms);
                settings.job_poll_max = Duration::from_millis(ms * 10);
            }
            execute_genesys(settings, client_config, opts, mode).await
        }
        Vendor::Cxone => {
            let settings = cxone_settings(&args.cxone, &file.cxone)?;
            let (source, client) = Cxone::new(settings, client_config)?;
            let transform = cxetl::transform::cxone_page;
            execute(Source::Cxone { source, transform }, client, opts).await
        }
    }
}

/// `--genesys-api`, else `[run] genesys_api`, else auto.
fn genesys_mode(args: &RunArgs, file: &FileConfig) -> Result<ApiMode> {
    Ok(match (args.genesys_api, file.run.genesys_api.as_deref()) {
        (Some(m), _) => m,
        (None, Some(s)) => <ApiMode as clap::ValueEnum>::from_str(s, true).map_err(|_| {
            Error::Config(format!(
                "[run] genesys_api = {s:?}: use auto, jobs or query"
            ))
        })?,
        (None, None) => ApiMode::Auto,
    })
}

/// `--lookback`: the interval with its start moved back, so the trailing
/// days are re-extracted (their partitions are replaced, not duplicated).
fn widen(interval: Interval, lookback: &str) -> Result<Interval> {
    let back = config::parse_duration(lookback)
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .ok_or_else(|| {
            Error::Config(format!(
                "--lookback {lookback:?}: use a number and a unit, like 2d, 36h or 1w"
            ))
        })?;
    let start = interval
        .start()
        .checked_sub_signed(back)
        .ok_or_else(|| Error::Config(format!("--lookback {lookback:?} is too long")))?;
    Interval::new(start, interval.end()).map_err(|e| Error::Config(e.to_string()))
}

/// `--dry-run`: validates the settings and prints the plan without any
/// network request or write. Genesys `auto` is shown as decided at run
/// time: choosing it needs the data-availability call, which a dry run
/// does not make.
fn dry_run(
    args: &RunArgs,
    file: &FileConfig,
    interval: Interval,
    output: &str,
    slice_len: Duration,
) -> Result<()> {
    let mode = match args.vendor {
        Vendor::Genesys => {
            genesys_settings(&args.genesys, &file.genesys)?;
            Some(genesys_mode(args, file)?)
        }
        Vendor::Cxone => {
            cxone_settings(&args.cxone, &file.cxone)?;
            None
        }
    };
    let plan = pipeline::source::plan_dry(args.vendor, mode, &interval, slice_len)?;
    let root = output.trim_end_matches('/');
    let tables = cxetl::transform::Table::for_vendor(args.vendor);
    let mut text = format!(
        "dry run: {} {interval}, {} slice(s), output {root}; nothing is requested or written\n",
        args.vendor,
        plan.len()
    );
    let mut slices = Vec::with_capacity(plan.len());
    for p in &plan {
        let (mode_json, mode_text) = match p.mode {
            Some(ApiMode::Auto) => ("auto", "auto (decided at run time)"),
            Some(ApiMode::Jobs) => ("jobs", "jobs"),
            Some(ApiMode::Query) => ("query", "query"),
            None => ("completed-contacts", "completed contacts"),
        };
        let files: Vec<String> = tables
            .iter()
            .map(|t| {
                let rel = cxetl::sink::layout::data_file(
                    &Default::default(),
                    t.name(),
                    args.vendor,
                    &p.interval,
                );
                format!("{root}/{rel}")
            })
            .collect();
        text.push_str(&format!("  {}  {mode_text}\n", p.interval));
        for f in &files {
            text.push_str(&format!("      {f}\n"));
        }
        slices.push(serde_json::json!({
            "start": cxetl::interval::fmt_rfc3339(p.interval.start()),
            "end": cxetl::interval::fmt_rfc3339(p.interval.end()),
            "mode": mode_json,
            "files": files,
        }));
    }
    eprint!("{text}");
    let json = serde_json::json!({
        "dry_run": true,
        "vendor": args.vendor.as_str(),
        "interval": {
            "start": cxetl::interval::fmt_rfc3339(interval.start()),
            "end": cxetl::interval::fmt_rfc3339(interval.end()),
        },
        "slices": slices,
    });
    println!("{json}");
    Ok(())
}

/// Extracts with ready settings, prints the summary line, returns the run's error.
pub async fn execute_genesys(
    settings: GenesysSettings,
    client_config: ClientConfig,
    opts: RunOptions,
    mode: ApiMode,
) -> Result<()> {
    let tokens = Arc::new(ClientCredentials::from_settings(&settings)?);
    let client = ApiClient::new(client_config, tokens, Arc::new(GenesysHints))?;
    let source = Source::Genesys {
        source: Genesys::new(settings, client.clone()),
        mode,
    };
    execute(source, client, opts).await
}

/// Runs a connected source, prints the summary line, returns the run's error.
pub async fn execute(source: Source, client: ApiClient, opts: RunOptions) -> Result<()> {
    let span = tracing::info_span!("run", run_id = %opts.run_id, vendor = %source.vendor(), interval = %opts.interval);
    let RunOutcome { summary, error } =
        tracing::Instrument::instrument(pipeline::run(opts, source, client), span).await;
    println!(
        "{}",
        serde_json::to_string(&summary).expect("summary serialises")
    );
    error.map_or(Ok(()), Err)
}

/// Genesys settings from flags/env over the `[genesys]` file section.
pub fn genesys_settings(args: &GenesysArgs, file: &GenesysFile) -> Result<GenesysSettings> {
    let client_id = pick(args.genesys_client_id.clone(), file.client_id.clone())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("GENESYS_CLIENT_ID", "client_id"))?;
    let client_secret = pick(
        args.genesys_client_secret.clone().map(Secret::new),
        file.client_secret.clone(),
    )
    .filter(|s| !s.is_empty())
    .ok_or_else(|| missing("GENESYS_CLIENT_SECRET", "client_secret"))?;
    let region = pick(args.genesys_region.clone(), file.region.clone())
        .unwrap_or_else(|| "mypurecloud.com".into());
    let (default_api, default_login) = genesys::region_urls(&region)?;
    let api_url = match pick(args.genesys_api_url.clone(), file.api_url.clone()) {
        Some(u) => config::endpoint("GENESYS_API_URL", &u)?,
        None => default_api,
    };
    let login_url = match pick(args.genesys_login_url.clone(), file.login_url.clone()) {
        Some(u) => config::endpoint("GENESYS_LOGIN_URL", &u)?,
        None => default_login,
    };
    Ok(GenesysSettings::new(
        api_url,
        login_url,
        client_id,
        client_secret,
    ))
}

/// CXone settings from flags/env over the `[cxone]` file section.
pub fn cxone_settings(args: &CxoneArgs, file: &CxoneFile) -> Result<CxoneSettings> {
    let text = |flag: &Option<String>, file: &Option<String>, var: &str, key: &str| {
        pick(flag.clone(), file.clone())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing_in(var, key, "cxone"))
    };
    let secret = |flag: &Option<String>, file: &Option<Secret>, var: &str, key: &str| {
        pick(flag.clone().map(Secret::new), file.clone())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing_in(var, key, "cxone"))
    };
    let key = AccessKey {
        access_key_id: text(
            &args.cxone_access_key_id,
            &file.access_key_id,
            "CXONE_ACCESS_KEY_ID",
            "access_key_id",
        )?,
        access_key_secret: secret(
            &args.cxone_access_key_secret,
            &file.access_key_secret,
            "CXONE_ACCESS_KEY_SECRET",
            "access_key_secret",
        )?,
        client_id: text(
            &args.cxone_client_id,
            &file.client_id,
            "CXONE_CLIENT_ID",
            "client_id",
        )?,
        client_secret: secret(
            &args.cxone_client_secret,
            &file.client_secret,
            "CXONE_CLIENT_SECRET",
            "client_secret",
        )?,
    };
    let issuer = pick(args.cxone_auth_url.clone(), file.auth_url.clone())
        .unwrap_or_else(|| CxoneSettings::DEFAULT_ISSUER.to_string());
    let api_url = match pick(args.cxone_api_url.clone(), file.api_url.clone()) {
        Some(u) => Some(config::endpoint("CXONE_API_URL", &u)?),
        None => None,
    };
    Ok(CxoneSettings {
        issuer: config::endpoint("CXONE_AUTH_URL", &issuer)?,
        api_url,
        key,
        api_version: pick(args.cxone_api_version.clone(), file.api_version.clone())
            .unwrap_or_else(|| CxoneSettings::DEFAULT_API_VERSION.to_string()),
        top: pick(args.cxone_top, file.top).unwrap_or(cxetl::sources::cxone::MAX_TOP),
    })
}

fn missing(var: &str, key: &str) -> Error {
    missing_in(var, key, "genesys")
}

fn missing_in(var: &str, key: &str, section: &str) -> Error {
    Error::Config(format!(
        "{var} is not set: export it, or put {key} under [{section}] in the --config file"
    ))
}

/// Shortens job polling for in-process simulators (the real default is gentle).
pub fn fast_polling(settings: &mut GenesysSettings) {
    settings.job_poll_initial = Duration::from_millis(50);
    settings.job_poll_max = Duration::from_millis(500);
}
