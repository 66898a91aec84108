//! `cxetl demo`: the built-in simulators for both vendors, short token
//! lifetimes and a few injected faults, extracted end to end into one local
//! lake. Prints one summary line per vendor (Genesys first, CXone last).

use super::run::execute;
use crate::cli::DemoArgs;
use cxetl::connector::select_streams;
use cxetl::pipeline::{self, RunConfig};
use cxetl::settings::{Options, RunOptions, Settings};
use cxetl::simulator::{self, Faults, SimConfig, Simulator};
use cxetl::sink::store;
use cxetl::vendors::cxone::settings::CxoneOptions;
use cxetl::vendors::genesys::settings::GenesysOptions;
use cxetl::{vendors, Error, Interval, Result, Secret, Vendor};
use std::time::Duration;

/// The demo's request budget: fast, yet paced like a real run.
const DEMO_RATE_PER_MINUTE: u32 = 6000;

pub async fn demo(args: DemoArgs) -> Result<()> {
    let interval = Interval::parse("2026-11-20", "2026-11-23").expect("valid demo interval");
    let genesys = start_simulator(Vendor::Genesys, &args, interval).await?;
    let cxone = start_simulator(Vendor::Cxone, &args, interval).await?;
    let run = RunOptions {
        output: Some(args.output.clone()),
        rate_per_minute: Some(DEMO_RATE_PER_MINUTE),
        concurrency: Some(3),
        ..RunOptions::default()
    };

    let g = genesys.config();
    let options = Options {
        run: run.clone(),
        genesys: GenesysOptions {
            client_id: Some(g.client_id.clone()),
            client_secret: Some(Secret::new(g.client_secret.clone())),
            api_url: Some(genesys.api_url()),
            login_url: Some(genesys.login_url()),
            // Simulated jobs finish at once; real Genesys wants gentle polling.
            job_poll_ms: Some(50),
            ..GenesysOptions::default()
        },
        ..Options::default()
    };
    let genesys_result = extract(Vendor::Genesys, options, interval).await;

    let c = cxone.config();
    let options = Options {
        run,
        cxone: CxoneOptions {
            access_key_id: Some(c.access_key_id.clone()),
            access_key_secret: Some(Secret::new(c.access_key_secret.clone())),
            client_id: Some(c.client_id.clone()),
            client_secret: Some(Secret::new(c.client_secret.clone())),
            auth_url: Some(cxone.login_url()),
            api_version: Some(c.api_version.clone()),
            top: Some(250),
            ..CxoneOptions::default()
        },
        ..Options::default()
    };
    let cxone_result = extract(Vendor::Cxone, options, interval).await;

    let (gt, ct) = (
        genesys.ground_truth(&interval),
        cxone.ground_truth(&interval),
    );
    eprintln!(
        "\nSimulator ground truth: Genesys {} conversations ({} ms), CXone {} contacts ({} ms); {} + {} bad records.\n\
         Try it with DuckDB:\n  duckdb -c \"SELECT vendor, media_type, count(*) AS conversations, round(avg(duration_ms) / 1000, 1) AS avg_seconds \
         FROM read_parquet('{}/conversations/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL\"",
        gt.count, gt.duration_ms_sum, ct.count, ct.duration_ms_sum, gt.bad_records, ct.bad_records, args.output
    );
    genesys.shutdown();
    cxone.shutdown();
    genesys_result.and(cxone_result)
}

/// Every stream of `vendor` over `interval`, through the same settings,
/// connector and pipeline as `cxetl run`.
async fn extract(vendor: Vendor, options: Options, interval: Interval) -> Result<()> {
    let settings = Settings::from_options(vendor, options)?;
    let connector = vendors::connect(&settings)?;
    let streams = select_streams(connector.as_ref(), None)?;
    let output = settings.run.output.as_deref().unwrap_or("cxetl-demo");
    let config = RunConfig {
        interval,
        output: store::open(output)?,
        slice_len: settings.run.slice_len,
        concurrency: settings.run.concurrency,
        max_bad_records: None,
        snapshot_max_age: settings.run.snapshot_max_age,
        format: settings.run.format,
        run_id: pipeline::new_run_id(),
        pii: settings.pii.clone(),
        progress: Default::default(),
    };
    execute(config, connector, streams, None).await
}

async fn start_simulator(vendor: Vendor, args: &DemoArgs, interval: Interval) -> Result<Simulator> {
    let faults = match vendor {
        Vendor::Genesys => Faults {
            throttle_every: Some(12),
            retry_after: Some(1),
            server_error_every: Some(9),
            ..Faults::default()
        },
        // CXone throttles with 503, often without Retry-After.
        Vendor::Cxone => Faults {
            throttle_every: Some(5),
            retry_after: None,
            ..Faults::default()
        },
    };
    let sim = simulator::start(
        SimConfig {
            vendor,
            conversations: args.conversations,
            interval,
            token_ttl: Duration::from_secs(3),
            // Jobs serve the first two days; the last day is past the
            // data-availability watermark, so Genesys `auto` switches to the query.
            data_availability: Some(cxetl::interval::parse_time("2026-11-22").expect("valid date")),
            bad_records: 3,
            faults,
            ..SimConfig::default()
        },
        0,
    )
    .await
    .map_err(|e| Error::Internal(format!("cannot start the {vendor} simulator: {e}")))?;
    tracing::info!(%vendor, api_url = %sim.api_url(), conversations = args.conversations,
        "simulator started (token lifetime 3 s, injected throttling and 5xx)");
    Ok(sim)
}
