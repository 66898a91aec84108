//! `cxetl demo`: the built-in simulators for both vendors, short token
//! lifetimes and a few injected faults, extracted end to end into one local
//! lake. Prints one summary line per vendor (Genesys first, CXone last).

use super::run::{execute, execute_genesys, fast_polling};
use crate::cli::DemoArgs;
use cxetl::http::ClientConfig;
use cxetl::pipeline::{self, RunOptions, Source};
use cxetl::simulator::{self, Faults, SimConfig, Simulator};
use cxetl::sink::store;
use cxetl::sources::cxone::auth::AccessKey;
use cxetl::sources::cxone::{Cxone, CxoneSettings};
use cxetl::sources::genesys::{ApiMode, GenesysSettings};
use cxetl::{config, Error, Interval, Result, Secret, Vendor};
use std::time::Duration;

/// The demo's request budget: fast, yet paced like a real run.
const DEMO_RATE_PER_MINUTE: u32 = 6000;

pub async fn demo(args: DemoArgs) -> Result<()> {
    let interval = Interval::parse("2026-11-20", "2026-11-23").expect("valid demo interval");
    let genesys = start_simulator(Vendor::Genesys, &args, interval).await?;
    let cxone = start_simulator(Vendor::Cxone, &args, interval).await?;
    let client_config = ClientConfig {
        rate_per_minute: DEMO_RATE_PER_MINUTE,
        ..ClientConfig::default()
    };

    let mut g = GenesysSettings::new(
        config::endpoint("simulator", &genesys.api_url())?,
        config::endpoint("simulator", &genesys.login_url())?,
        genesys.config().client_id.clone(),
        Secret::new(genesys.config().client_secret.clone()),
    );
    fast_polling(&mut g);
    let genesys_result = execute_genesys(
        g,
        client_config.clone(),
        options(&args, interval)?,
        ApiMode::Auto,
    )
    .await;

    let c = cxone.config();
    let settings = CxoneSettings {
        issuer: config::endpoint("simulator", &cxone.login_url())?,
        api_url: None,
        key: AccessKey {
            access_key_id: c.access_key_id.clone(),
            access_key_secret: Secret::new(c.access_key_secret.clone()),
            client_id: c.client_id.clone(),
            client_secret: Secret::new(c.client_secret.clone()),
        },
        api_version: c.api_version.clone(),
        top: 250,
    };
    let (source, client) = Cxone::new(settings, client_config)?;
    let source = Source::Cxone {
        source,
        transform: cxetl::transform::cxone_page,
    };
    let cxone_result = execute(source, client, options(&args, interval)?).await;

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

fn options(args: &DemoArgs, interval: Interval) -> Result<RunOptions> {
    Ok(RunOptions {
        interval,
        output: store::open(&args.output)?,
        slice_len: Duration::from_secs(86_400),
        concurrency: 3,
        max_bad_records: None,
        run_id: pipeline::new_run_id(),
        progress: Default::default(),
    })
}
