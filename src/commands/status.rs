//! `cxetl status --output URL`: one JSON line when stdout is not a
//! terminal; a table with a per-day coverage strip when it is.

use crate::cli::StatusArgs;
use cxetl::pipeline::status;
use cxetl::sink::store;
use cxetl::{Error, Interval, Result};
use std::io::IsTerminal;

pub async fn status(args: StatusArgs) -> Result<()> {
    let bounds = match (&args.start, &args.end) {
        (Some(s), Some(e)) => {
            Some(Interval::parse(s, e).map_err(|e| Error::Config(e.to_string()))?)
        }
        _ => None,
    };
    let output = store::open(&args.output)?;
    let report = status::status(&output, args.vendor, bounds).await?;
    if !std::io::stdout().is_terminal() {
        println!("{report}");
        return Ok(());
    }
    println!("{}", report["output"].as_str().unwrap_or(""));
    for s in report["streams"].as_array().into_iter().flatten() {
        let days = s["days"].as_object().cloned().unwrap_or_default();
        // One character a day: # loaded, . missing.
        let strip: String = days
            .values()
            .map(|d| if d["loaded"] == true { '#' } else { '.' })
            .collect();
        let rows: u64 = days.values().filter_map(|d| d["rows"].as_u64()).sum();
        let gaps = s["gaps"].as_array().map_or(0, Vec::len);
        let last = &s["last_run"];
        println!(
            "  {:<8} {:<22} {:<8} {strip}  {} days, {rows} rows, {gaps} gap(s); last run {} {}, pii {} {}",
            s["vendor"].as_str().unwrap_or(""),
            s["stream"].as_str().unwrap_or(""),
            s["kind"].as_str().unwrap_or(""),
            s["loaded_days"],
            last["run_id"].as_str().unwrap_or("-"),
            last["status"].as_str().unwrap_or(""),
            last["pii"]["default"].as_str().unwrap_or("keep"),
            last["pii"]["fingerprint"]
                .as_str()
                .map_or("(before policies)", |f| &f[..f.len().min(12)]),
        );
    }
    for l in report["leases"].as_array().into_iter().flatten() {
        println!(
            "  lease {} held by run {}",
            l["lease"], l["holder"]["run_id"]
        );
    }
    Ok(())
}
