//! `cxetl simulate <vendor>`: serve the vendor API shapes on loopback.

use crate::cli::SimulateArgs;
use cxetl::interval::fmt_rfc3339;
use cxetl::simulator::{self, Faults, SimConfig};
use cxetl::{Error, Interval, Result, Vendor};
use std::time::Duration;

pub async fn simulate(args: SimulateArgs) -> Result<()> {
    let config = sim_config(&args)?;
    let interval = config.interval;
    let conversations = config.conversations;
    let sim = simulator::start(config, args.port).await.map_err(|e| {
        Error::Config(format!(
            "cannot start the simulator on port {}: {e}",
            args.port
        ))
    })?;
    let c = sim.config();
    let credentials = match args.vendor {
        Vendor::Genesys => serde_json::json!({
            "GENESYS_CLIENT_ID": c.client_id,
            "GENESYS_CLIENT_SECRET": c.client_secret,
            "GENESYS_API_URL": sim.api_url(),
            "GENESYS_LOGIN_URL": sim.login_url(),
        }),
        // The issuer is enough: the client discovers the token endpoint and
        // the tenant's API host from it, as against the real service.
        Vendor::Cxone => serde_json::json!({
            "CXONE_ACCESS_KEY_ID": c.access_key_id,
            "CXONE_ACCESS_KEY_SECRET": c.access_key_secret,
            "CXONE_CLIENT_ID": c.client_id,
            "CXONE_CLIENT_SECRET": c.client_secret,
            "CXONE_AUTH_URL": sim.login_url(),
        }),
    };
    let ready = serde_json::json!({
        "vendor": args.vendor.as_str(),
        "api_url": sim.api_url(),
        "auth_url": sim.login_url(),
        "credentials": credentials,
        "interval": {"start": fmt_rfc3339(interval.start()), "end": fmt_rfc3339(interval.end())},
        "conversations": conversations,
    });
    println!("{ready}");
    tracing::info!(api_url = %sim.api_url(), "simulator ready; Ctrl-C stops it");
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Error::Internal(format!("waiting for Ctrl-C: {e}")))?;
    sim.shutdown();
    Ok(())
}

fn sim_config(a: &SimulateArgs) -> Result<SimConfig> {
    let interval = Interval::parse(&a.start, &a.end).map_err(|e| Error::Config(e.to_string()))?;
    if !(a.token_ttl > 0.0 && a.token_ttl.is_finite()) {
        return Err(Error::Config(
            "--token-ttl must be a positive number of seconds".into(),
        ));
    }
    let data_availability = match &a.data_availability {
        Some(s) => Some(
            cxetl::interval::parse_time(s)
                .map_err(|e| Error::Config(format!("--data-availability: {e}")))?,
        ),
        None => None,
    };
    Ok(SimConfig {
        vendor: a.vendor,
        seed: a.seed,
        conversations: a.conversations,
        interval,
        token_ttl: Duration::try_from_secs_f64(a.token_ttl).map_err(|_| {
            Error::Config(format!(
                "--token-ttl {}: use a positive number of seconds",
                a.token_ttl
            ))
        })?,
        page_latency: Duration::from_millis(a.latency_ms),
        job_latency: Duration::from_millis(a.job_latency_ms),
        bad_records: a.bad_records,
        activity_periods_per_agent_day: a.activity_periods_per_agent_day,
        data_availability,
        faults: Faults {
            revoke_every: a.revoke_every,
            throttle_every: a.throttle_every,
            throttle_burst: 1,
            retry_after: Some(a.retry_after),
            server_error_every: a.server_error_every,
            reset_every: a.reset_every,
            forbidden: a.forbidden,
            forbidden_only: Vec::new(),
            job_failures: a.job_failures,
            rate_limit_per_minute: a.rate_limit,
        },
        ..SimConfig::default()
    })
}
