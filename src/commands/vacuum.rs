//! `cxetl vacuum`: deletes what the Delta tables of a lake no longer need
//! after the retention; prints one JSON line of what it deleted.

use crate::cli::VacuumArgs;
use cxetl::sink::{delta, store};
use cxetl::{settings, Error, Result};

/// Runs `cxetl vacuum`.
pub async fn vacuum(args: VacuumArgs) -> Result<()> {
    let retain = match args.retain.trim() {
        "0" => std::time::Duration::ZERO,
        text => {
            settings::parse_duration(text).map_err(|e| Error::Config(format!("--retain: {e}")))?
        }
    };
    let location = store::open(&args.output)?;
    let report = delta::vacuum::vacuum(&location, retain, args.dry_run).await?;
    tracing::info!(
        tables = report.tables.len(),
        deleted = report.deleted.len(),
        bytes = report.bytes,
        kept_in_retention = report.kept_in_retention,
        dry_run = report.dry_run,
        "vacuum done"
    );
    println!(
        "{}",
        serde_json::to_string(&report).expect("the report serialises")
    );
    Ok(())
}
