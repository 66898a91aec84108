//! `cxetl demo`: the built-in simulator, a short token lifetime and a few
//! injected faults, extracted end to end into a local folder.

use super::run::{execute_genesys, fast_polling};
use crate::cli::DemoArgs;
use cxetl::http::ClientConfig;
use cxetl::pipeline::{self, RunOptions};
use cxetl::simulator::{self, Faults, SimConfig};
use cxetl::sink::store;
use cxetl::sources::genesys::{ApiMode, GenesysSettings};
use cxetl::{config, Error, Interval, Result, Secret};
use std::time::Duration;

pub async fn demo(args: DemoArgs) -> Result<()> {
    let interval = Interval::parse("2026-11-20", "2026-11-23").expect("valid demo interval");
    // Jobs serve the first two days; the last day is past the data-availability
    // watermark, so `auto` switches to the synchronous query there.
    let watermark = cxetl::interval::parse_time("2026-11-22").expect("valid date");
    let sim = simulator::start(
        SimConfig {
            conversations: args.conversations,
            interval,
            token_ttl: Duration::from_secs(3),
            data_availability: Some(watermark),
            bad_records: 3,
            faults: Faults {
                throttle_every: Some(12),
                throttle_burst: 1,
                retry_after: Some(1),
                server_error_every: Some(9),
                ..Faults::default()
            },
            ..SimConfig::default()
        },
        0,
    )
    .await
    .map_err(|e| Error::Internal(format!("cannot start the simulator: {e}")))?;
    tracing::info!(api_url = %sim.api_url(), conversations = args.conversations, "simulator started (token lifetime 3 s, some 429s and 5xx)");

    let mut settings = GenesysSettings::new(
        config::endpoint("simulator", &sim.api_url())?,
        config::endpoint("simulator", &sim.login_url())?,
        sim.config().client_id.clone(),
        Secret::new(sim.config().client_secret.clone()),
    );
    fast_polling(&mut settings);
    let opts = RunOptions {
        interval,
        output: store::open(&args.output)?,
        slice_len: Duration::from_secs(86_400),
        concurrency: 3,
        max_bad_records: None,
        run_id: pipeline::new_run_id(),
    };
    let client = ClientConfig {
        rate_per_minute: 6000,
        ..ClientConfig::default()
    };
    let result = execute_genesys(settings, client, opts, ApiMode::Auto).await;
    let truth = sim.ground_truth(&interval);
    eprintln!(
        "\nSimulator ground truth: {} conversations, {} ms total duration, {} bad records.\n\
         Try it with DuckDB:\n  duckdb -c \"SELECT date, media_type, count(*) AS conversations, round(avg(duration_ms)/1000, 1) AS avg_s \
         FROM read_parquet('{}/conversations/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL\"",
        truth.count, truth.duration_ms_sum, truth.bad_records, args.output
    );
    sim.shutdown();
    result
}
