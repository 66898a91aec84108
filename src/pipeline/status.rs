//! What a lake holds (`cxetl status`), from its own metadata only: the run
//! summaries under `_summaries/` (which intervals each stream loaded, the
//! rows and quarantined records of each day, the last run) and the leases
//! under `_leases/`. No data file is opened.

use crate::sink::Location;
use crate::{Interval, Result, Vendor};
use chrono::NaiveDate;
use futures::TryStreamExt;
use object_store::path::Path;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One stream of one vendor, as the summaries tell it.
#[derive(Default)]
struct StreamState {
    kind: String,
    days: BTreeSet<NaiveDate>,
    rows: BTreeMap<NaiveDate, u64>,
    quarantined: BTreeMap<NaiveDate, u64>,
}

/// The status report as one JSON value; `bounds` limits the days reported
/// (and, when given, which missing days are gaps).
pub async fn status(
    output: &Location,
    vendor: Option<Vendor>,
    bounds: Option<Interval>,
) -> Result<Value> {
    let summaries = read_all(output, "_summaries").await?;
    let mut streams: BTreeMap<(String, String), StreamState> = BTreeMap::new();
    let mut last_run: BTreeMap<String, Value> = BTreeMap::new();
    for (_, s) in &summaries {
        let Some(v) = s["vendor"].as_str() else {
            continue;
        };
        if vendor.is_some_and(|want| want.as_str() != v) {
            continue;
        }
        let newer = last_run
            .get(v)
            .is_none_or(|l| l["run_id"].as_str() < s["run_id"].as_str());
        if newer {
            last_run.insert(
                v.to_string(),
                json!({"run_id": s["run_id"], "status": s["status"], "interval": s["interval"], "error": s["error"], "pii": s["pii"]}),
            );
        }
        let interval = Interval::parse(
            s["interval"]["start"].as_str().unwrap_or(""),
            s["interval"]["end"].as_str().unwrap_or(""),
        )
        .ok();
        let files = s["files"].as_array().cloned().unwrap_or_default();
        for (name, st) in s["streams"].as_object().into_iter().flatten() {
            let state = streams.entry((v.to_string(), name.clone())).or_default();
            state.kind = st["kind"].as_str().unwrap_or("interval").to_string();
            let first_table = st["tables"][0].as_str().unwrap_or("");
            for f in &files {
                let path = f["path"].as_str().unwrap_or("");
                let rows = f["rows"].as_u64().unwrap_or(0);
                let Some(day) = partition_day(path) else {
                    continue;
                };
                if path.starts_with(&format!("{first_table}/")) {
                    *state.rows.entry(day).or_default() += rows;
                    if state.kind == "snapshot" {
                        state.days.insert(day);
                    }
                } else if path.starts_with("_quarantine/")
                    && path.contains(&format!("/stream={name}/"))
                {
                    *state.quarantined.entry(day).or_default() += rows;
                }
            }
            let loaded = st["status"] == "succeeded";
            if let (true, "interval", Some(i)) = (loaded, state.kind.as_str(), interval) {
                state.days.extend(
                    i.slices(chrono::Duration::days(1))
                        .iter()
                        .map(|d| d.start_date()),
                );
            }
        }
    }
    let in_bounds = |d: &NaiveDate| {
        let start = d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        bounds.is_none_or(|b| start < b.end() && b.start() < start + chrono::Duration::days(1))
    };
    let report: Vec<Value> = streams
        .into_iter()
        .map(|((v, name), st)| {
            let days: Vec<NaiveDate> = st.days.iter().copied().filter(in_bounds).collect();
            let expected: Vec<NaiveDate> = match (bounds, st.kind.as_str()) {
                (_, "snapshot") => days.clone(),
                (Some(b), _) => b
                    .slices(chrono::Duration::days(1))
                    .iter()
                    .map(|d| d.start_date())
                    .collect(),
                (None, _) => match (days.first(), days.last()) {
                    (Some(a), Some(z)) => a.iter_days().take_while(|d| d <= z).collect(),
                    _ => Vec::new(),
                },
            };
            let gaps: Vec<String> = expected
                .iter()
                .filter(|d| !st.days.contains(d))
                .map(|d| d.to_string())
                .collect();
            let per_day: BTreeMap<String, Value> = expected
                .iter()
                .map(|d| {
                    (
                        d.to_string(),
                        json!({
                            "loaded": st.days.contains(d),
                            "rows": st.rows.get(d).copied().unwrap_or(0),
                            "quarantined": st.quarantined.get(d).copied().unwrap_or(0),
                        }),
                    )
                })
                .collect();
            json!({
                "vendor": v, "stream": name, "kind": st.kind,
                "loaded_days": days.len(), "gaps": gaps, "days": per_day,
                "last_run": last_run.get(&v),
            })
        })
        .collect();
    let leases: Vec<Value> = read_all(output, "_leases")
        .await?
        .into_iter()
        .filter(|(p, _)| p.extension() == Some("json"))
        .map(|(p, holder)| json!({"lease": p.to_string(), "holder": holder}))
        .collect();
    Ok(json!({"output": output.display, "streams": report, "leases": leases}))
}

/// The `date=` or `snapshot_date=` of a path.
fn partition_day(path: &str) -> Option<NaiveDate> {
    path.split('/').find_map(|part| {
        let value = part
            .strip_prefix("date=")
            .or_else(|| part.strip_prefix("snapshot_date="))?;
        NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()
    })
}

/// Every JSON object under `prefix`, parsed (unreadable ones are skipped).
async fn read_all(output: &Location, prefix: &str) -> Result<Vec<(Path, Value)>> {
    let dir = prefix
        .split('/')
        .fold(output.root.clone(), |acc, part| acc.child(part));
    let metas: Vec<_> = output.store.list(Some(&dir)).try_collect().await?;
    let mut out = Vec::new();
    for meta in metas {
        let Ok(got) = output.store.get(&meta.location).await else {
            continue;
        };
        let Ok(bytes) = got.bytes().await else {
            continue;
        };
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            out.push((meta.location, v));
        }
    }
    Ok(out)
}
