//! `cxetl check <vendor>`: a preflight that proves, with one cheap request
//! per permission, that a run would get past configuration, authentication,
//! authorization, reachability and the output — and says how to fix what
//! would not.
//!
//! Prints a ✓/✗ table on stderr and one JSON line on stdout
//! (`{"vendor","checks":[{"name","ok","detail","fix"}],"ok"}`); the exit
//! code is the contract's code of the first failing check (`main` maps it).

use crate::cli::CheckArgs;
use cxetl::connector::{select_streams, Connector, Fixes};
use cxetl::settings::Settings;
use cxetl::sink::{store, Dataset};
use cxetl::{vendors, Error, Result, Vendor};
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
    /// The vendor's fixes, once its connector exists.
    fixes: Option<Fixes>,
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

    fn fail(&mut self, name: &'static str, error: Error) {
        self.checks.push(Check {
            name,
            ok: false,
            detail: error.to_string(),
            fix: Some(fix_for(name, self.fixes, &error)),
        });
        self.first_error.get_or_insert(error);
    }

    /// Records `result` under `name`; `Some` when it passed.
    fn record<T>(
        &mut self,
        name: &'static str,
        result: Result<T>,
        detail: impl FnOnce(&T) -> String,
    ) -> Option<T> {
        match result {
            Ok(v) => {
                self.pass(name, detail(&v));
                Some(v)
            }
            Err(e) => {
                self.fail(name, e);
                None
            }
        }
    }
}

/// What to do about a failed check, by failure class.
fn fix_for(name: &str, fixes: Option<Fixes>, error: &Error) -> String {
    let fixes = fixes.unwrap_or(Fixes {
        credentials: "the vendor's credential variables",
        endpoints: "the vendor's endpoint variables",
        permission: "grant the permission named above, then re-run check",
    });
    let (creds, endpoints) = (fixes.credentials, fixes.endpoints);
    match error {
        Error::Config(_) => "fix the setting named above (flag, environment variable or --config key)".into(),
        Error::Auth(_) => format!(
            "the credentials were rejected: check {creds}; a client from another region is rejected too, so check {endpoints}"
        ),
        Error::Permission(_) => fixes.permission.into(),
        Error::Upstream(_) if name == "output" => "the output store failed: check the path or bucket and its credentials".into(),
        Error::Upstream(_) => format!(
            "the endpoint is unreachable or failing: check {endpoints}, DNS, proxy and firewall (a wrong region looks like this), or the vendor's status page"
        ),
        Error::Storage(_) => "the output is not writable: check the directory's permissions, or the bucket, prefix and AWS_* settings".into(),
        Error::Interrupted { .. } => "the check was interrupted; run it again".into(),
        Error::TooManyBadRecords { .. } | Error::Internal(_) => "unexpected; please report it with the detail above".into(),
    }
}

/// Runs the preflight; `Err` (after printing the report) carries the first failure.
pub async fn check(args: CheckArgs) -> Result<()> {
    let vendor = args.vendor;
    let mut report = Report::default();
    let settings = Settings::resolve(vendor, args.options, args.config.as_deref()).map(|mut s| {
        // A preflight reports trouble fast instead of riding it out.
        s.http.rate_per_minute = 0;
        s.http.timeout = Duration::from_secs(20);
        s.http.retry.max_attempts = CHECK_ATTEMPTS;
        s
    });
    let connector = settings.and_then(|s| {
        let connector = vendors::connect(&s)?;
        let streams = select_streams(connector.as_ref(), s.run.streams.as_deref())?;
        let names: Vec<&'static str> = streams.iter().map(|s| s.name()).collect();
        Ok((connector, names, s.run.output, s.run.format, s.pii))
    });
    match connector {
        Err(e) => report.fail("config", e),
        Ok((connector, streams, output, format, pii)) => {
            report.fixes = Some(connector.fixes());
            report.pass(
                "config",
                format!(
                    "{}; personal data: {} (policy {})",
                    connector.endpoints(),
                    pii.default_action().as_str(),
                    &pii.fingerprint()[..12]
                ),
            );
            check_vendor(connector.as_ref(), &streams, &mut report).await;
            if let Some(output) = output {
                let result = async {
                    let location = store::open(&output)?;
                    let dataset = Dataset::new(location, vendor, cxetl::pipeline::new_run_id())
                        .with_format(format);
                    dataset.preflight().await?;
                    dataset.clean_staging().await;
                    Ok(dataset.display().to_string())
                }
                .await;
                report.record("output", result, |d| match format {
                    cxetl::sink::Format::Parquet => {
                        format!("{d} is writable (list, upload, rename, delete)")
                    }
                    cxetl::sink::Format::Delta => format!(
                        "{d} is writable (list, upload, rename, delete, create-if-absent for Delta commits)"
                    ),
                });
            }
        }
    }
    print_report(vendor, &report);
    report.first_error.map_or(Ok(()), Err)
}

/// The token, then the probes of the selected streams.
async fn check_vendor(connector: &dyn Connector, streams: &[&str], report: &mut Report) {
    let token = connector.client().token().await.map_err(Error::from);
    let issuer = connector.token_issuer();
    if report
        .record("token", token, |_| format!("token issued by {issuer}"))
        .is_none()
    {
        return;
    }
    for probe in connector
        .probes()
        .into_iter()
        .filter(|p| streams.contains(&p.stream))
    {
        let result = probe.run.await;
        report.record(probe.name, result, Clone::clone);
    }
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
