//! `cxetl check <vendor>`: a preflight that proves, with one cheap request
//! per permission, that a run would get past configuration, authentication,
//! authorization, reachability and the output — and says how to fix what
//! would not.
//!
//! Prints a ✓/✗ table on stderr and one JSON line on stdout
//! (`{"vendor","checks":[{"name","ok","detail","fix"}],"ok"}`); the exit
//! code is the contract's code of the first failing check (`main` maps it).

use super::run::{cxone_settings, genesys_settings};
use crate::cli::CheckArgs;
use cxetl::config::FileConfig;
use cxetl::http::{ApiClient, ClientConfig};
use cxetl::sink::{store, Dataset};
use cxetl::sources::cxone::Cxone;
use cxetl::sources::genesys::{ClientCredentials, Genesys, GenesysHints};
use cxetl::{Error, Result, Vendor};
use std::sync::Arc;
use std::time::Duration;

/// Attempts per probe: a preflight reports trouble fast instead of riding it out.
const CHECK_ATTEMPTS: u32 = 2;

/// One line of the report.
#[derive(Debug, serde::Serialize)]
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

/// The checks so far and the first failure (which decides the exit code).
#[derive(Default)]
struct Report {
    checks: Vec<Check>,
    first_error: Option<Error>,
}

impl Report {
    fn pass(&mut self, name: &'static str, detail: impl Into<String>) {
        self.checks.push(Check {
            name,
            ok: true,
            detail: detail.into(),
            fix: None,
        });
    }

    fn fail(&mut self, name: &'static str, vendor: Vendor, error: Error) {
        self.checks.push(Check {
            name,
            ok: false,
            detail: error.to_string(),
            fix: Some(fix_for(name, vendor, &error)),
        });
        self.first_error.get_or_insert(error);
    }

    /// Records `result` under `name`; `Some` when it passed.
    fn record<T>(
        &mut self,
        name: &'static str,
        vendor: Vendor,
        result: Result<T>,
        detail: impl FnOnce(&T) -> String,
    ) -> Option<T> {
        match result {
            Ok(v) => {
                self.pass(name, detail(&v));
                Some(v)
            }
            Err(e) => {
                self.fail(name, vendor, e);
                None
            }
        }
    }
}

/// What to do about a failed check, by failure class.
fn fix_for(name: &str, vendor: Vendor, error: &Error) -> String {
    let (creds, endpoints) = match vendor {
        Vendor::Genesys => (
            "GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET (an OAuth client-credentials client)",
            "GENESYS_REGION (the org's region domain, e.g. mypurecloud.ie) or GENESYS_API_URL / GENESYS_LOGIN_URL",
        ),
        Vendor::Cxone => (
            "CXONE_ACCESS_KEY_ID / CXONE_ACCESS_KEY_SECRET and CXONE_CLIENT_ID / CXONE_CLIENT_SECRET",
            "CXONE_AUTH_URL (issuer) or CXONE_API_URL (tenant API endpoint)",
        ),
    };
    match error {
        Error::Config(_) => "fix the setting named above (flag, environment variable or --config key)".into(),
        Error::Auth(_) => format!(
            "the credentials were rejected: check {creds}; a client from another region is rejected too, so check {endpoints}"
        ),
        Error::Permission(_) => match vendor {
            Vendor::Genesys => "add the permission named above to a role of the OAuth client (Admin > Roles / Permissions), then re-run check".into(),
            Vendor::Cxone => "give the access key's user a role with Reporting API access to completed contacts, then re-run check".into(),
        },
        Error::Upstream(_) if name == "output" => "the output store failed: check the path or bucket and its credentials".into(),
        Error::Upstream(_) => format!(
            "the endpoint is unreachable or failing: check {endpoints}, DNS, proxy and firewall (a wrong region looks like this), or the vendor's status page"
        ),
        Error::Storage(_) => "the output is not writable: check the directory's permissions, or the bucket, prefix and AWS_* settings".into(),
        Error::TooManyBadRecords { .. } | Error::Internal(_) => "unexpected; please report it with the detail above".into(),
    }
}

/// Runs the preflight; `Err` (after printing the report) carries the first failure.
pub async fn check(args: CheckArgs) -> Result<()> {
    let vendor = args.vendor;
    let mut report = Report::default();
    let client_config = ClientConfig {
        rate_per_minute: 0,
        timeout: Duration::from_secs(20),
        retry: cxetl::http::RetryPolicy {
            max_attempts: CHECK_ATTEMPTS,
            ..Default::default()
        },
        ..ClientConfig::default()
    };
    let file = match FileConfig::load(args.config.as_deref()) {
        Ok(file) => Some(file),
        Err(e) => {
            report.fail("config", vendor, e);
            None
        }
    };
    if let Some(file) = file {
        match vendor {
            Vendor::Genesys => check_genesys(&args, &file, client_config, &mut report).await,
            Vendor::Cxone => check_cxone(&args, &file, client_config, &mut report).await,
        }
        let output = args.output.clone().or(file.run.output.clone());
        if let Some(output) = output {
            let result = async {
                let location = store::open(&output)?;
                let dataset = Dataset::new(location, vendor, cxetl::pipeline::new_run_id());
                dataset.preflight().await?;
                dataset.clean_staging().await;
                Ok(dataset.display().to_string())
            }
            .await;
            report.record("output", vendor, result, |d| {
                format!("{d} is writable (list, upload, rename, delete)")
            });
        }
    }
    print_report(vendor, &report);
    report.first_error.map_or(Ok(()), Err)
}

async fn check_genesys(
    args: &CheckArgs,
    file: &FileConfig,
    client_config: ClientConfig,
    report: &mut Report,
) {
    let v = Vendor::Genesys;
    let Some(settings) = report.record(
        "config",
        v,
        genesys_settings(&args.genesys, &file.genesys),
        |s| format!("api {} · login {}", s.api_url, s.login_url),
    ) else {
        return;
    };
    let client = ClientCredentials::from_settings(&settings).and_then(|t| {
        Ok(ApiClient::new(
            client_config,
            Arc::new(t),
            Arc::new(GenesysHints),
        )?)
    });
    let client = match client {
        Ok(c) => c,
        Err(e) => return report.fail("config", v, e),
    };
    let token = client.token().await.map_err(Error::from);
    if report
        .record("token", v, token, |_| {
            format!("token issued by {}", settings.login_url)
        })
        .is_none()
    {
        return;
    }
    let genesys = Genesys::new(settings, client);
    let now = chrono::Utc::now();
    report.record(
        "conversation details (query)",
        v,
        genesys.probe_details(now).await,
        |hits| match hits {
            Some(n) => format!("details/query answered ({n} conversations in the last hour)"),
            None => "details/query answered".into(),
        },
    );
    report.record(
        "details jobs (availability)",
        v,
        genesys.data_availability().await,
        |t| {
            format!(
                "jobs/availability answered: data complete until {}",
                cxetl::interval::fmt_rfc3339(*t)
            )
        },
    );
}

async fn check_cxone(
    args: &CheckArgs,
    file: &FileConfig,
    client_config: ClientConfig,
    report: &mut Report,
) {
    let v = Vendor::Cxone;
    let Some(settings) = report.record(
        "config",
        v,
        cxone_settings(&args.cxone, &file.cxone),
        |s| match &s.api_url {
            Some(api) => format!("issuer {} · api {api}", s.issuer),
            None => format!("issuer {} · api discovered from the token", s.issuer),
        },
    ) else {
        return;
    };
    let issuer = settings.issuer.clone();
    let (source, client) = match Cxone::new(settings, client_config) {
        Ok(pair) => pair,
        Err(e) => return report.fail("config", v, e),
    };
    let token = client.token().await.map_err(Error::from);
    if report
        .record("token", v, token, |_| format!("token issued by {issuer}"))
        .is_none()
    {
        return;
    }
    report.record(
        "completed contacts",
        v,
        source.probe(chrono::Utc::now()).await,
        |api| format!("contacts/completed answered at {api}"),
    );
}

/// The ✓/✗ table on stderr, then the JSON line on stdout.
fn print_report(vendor: Vendor, report: &Report) {
    let width = report
        .checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut table = format!("cxetl check {vendor}\n");
    for c in &report.checks {
        let mark = if c.ok { "✓" } else { "✗" };
        table.push_str(&format!("  {mark} {:<width$}  {}\n", c.name, c.detail));
        if let Some(fix) = &c.fix {
            table.push_str(&format!("    {:<width$}  fix: {fix}\n", ""));
        }
    }
    let ok = report.first_error.is_none();
    table.push_str(if ok {
        "all checks passed\n"
    } else {
        "some checks failed\n"
    });
    eprint!("{table}");
    let json = serde_json::json!({
        "vendor": vendor.as_str(),
        "checks": report.checks,
        "ok": ok,
    });
    println!("{json}");
}
