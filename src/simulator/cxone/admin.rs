//! CXone's admin listings `GET .../agents`, `/teams`, `/skills` and
//! `/dispositions` (`shared/vendor-apis/directory-and-activity.md` §4.0–4.4):
//! `skip`/`top` paging with `_links`, the `totalRecords` envelope, and an
//! empty-body 204 when nothing matches.
//!
//! Parameters the simulator would not honour (`fields`, `orderBy`,
//! `searchString`, …) are refused with a 400 rather than ignored, so a
//! client never believes it filtered or projected.

use super::api::{bad, error, links, refuse_others, top_skip};
use super::data::BUSINESS_UNIT_ID;
use super::directory::Directory;
use crate::simulator::core::json::fmt_date;
use crate::simulator::core::{query, App, Reply};
use axum::http::StatusCode;
use bytes::Bytes;
use serde_json::{Map, Value};

/// The admin `top` default and limit are UNCONFIRMED (§4.0): a working
/// client says "default 50, max 100" [MCP]; another steps `skip` by
/// 10,000 [NICEPY], so up to 10,000 is accepted.
const DEFAULT_TOP: u64 = 50;
const MAX_TOP: u64 = 10_000;

/// One listing: its array key, the entity field `updatedSince` compares,
/// and the spellings of that parameter it takes.
struct Listing {
    key: &'static str,
    updated: Option<&'static str>,
    since: &'static [&'static str],
    /// Whether the envelope carries `lastPollTime` (not on dispositions).
    poll_time: bool,
}

/// The listing at `resource` (the path after `services/vNN.0/`).
fn listing(resource: &str) -> Option<Listing> {
    // v34 spells the agents' and teams' parameter `updateSince` (sic), v9
    // `updatedSince`; which one the server takes is UNCONFIRMED, so both.
    const BOTH: &[&str] = &["updateSince", "updatedSince"];
    let l = |key, updated, since, poll_time| {
        Some(Listing {
            key,
            updated,
            since,
            poll_time,
        })
    };
    match resource {
        "agents" => l("agents", Some("lastUpdated"), BOTH, true),
        "teams" => l("teams", Some("lastUpdateTime"), BOTH, true),
        // The skill list schema has no update marker (§4.3): nothing to
        // compare `updatedSince` with, so it is refused.
        "skills" => l("skills", None, &[], true),
        "dispositions" => l(
            "dispositions",
            Some("lastUpdated"),
            &["updatedSince"],
            false,
        ),
        _ => None,
    }
}

/// `true` when `resource` is one of the admin listings.
pub(super) fn is_listing(resource: &str) -> bool {
    listing(resource).is_some()
}

/// The legacy Admin API's 403 text [CXLEG Admin General].
pub(super) fn forbidden() -> Reply {
    error(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Security permissions prevent access to data",
    )
}

/// Answers `GET path?query` if `resource` is an admin listing.
pub(super) fn serve(
    dir: &Directory,
    app: &App,
    path: &str,
    resource: &str,
    query: &str,
) -> Option<Reply> {
    let l = listing(resource)?;
    let items = match l.key {
        "agents" => &dir.agents,
        "teams" => &dir.teams,
        "skills" => &dir.skills,
        _ => &dir.dispositions,
    };
    let params = query::parse(query);
    Some(page(&l, items, app, path, query, &params).unwrap_or_else(|m| bad(&m)))
}

fn page(
    l: &Listing,
    items: &[Value],
    app: &App,
    path: &str,
    query: &str,
    params: &[(String, String)],
) -> Result<Reply, String> {
    let allowed: Vec<&str> = ["top", "skip", "isActive"]
        .iter()
        .chain(l.since)
        .copied()
        .collect();
    refuse_others(params, &allowed)?;
    let get = |k: &str| query::get(params, k);
    let (top, skip) = top_skip(params, DEFAULT_TOP, MAX_TOP)?;
    // Whether an unfiltered call returns inactive rows is UNCONFIRMED
    // (§5.4): the simulator takes the strict reading, active only, so a
    // client must also ask `isActive=false` as the sheet advises.
    let active = match get("isActive") {
        None => true,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err("Invalid isActive".into()),
    };
    let since = match l.since.iter().find_map(|k| get(k)) {
        None => None,
        Some(v) => Some(ms(v).ok_or("Invalid updatedSince")?),
    };
    let selected: Vec<&Value> = items
        .iter()
        .filter(|v| v["isActive"] == active)
        .filter(|v| {
            since.is_none_or(|s| {
                l.updated
                    .and_then(|f| v[f].as_str())
                    .and_then(ms)
                    .is_some_and(|u| u >= s)
            })
        })
        .collect();
    let total = selected.len() as u64;
    if total == 0 {
        // Declared for agents and teams, guarded for by clients on the
        // others (§4.0): 204 with no body.
        return Ok(Reply::new(StatusCode::NO_CONTENT, "", Bytes::new()));
    }
    let from = skip.min(total) as usize;
    let to = (from + top as usize).min(selected.len());
    let mut body = Map::new();
    body.insert(
        "_links".into(),
        links(app, path, query, params, skip, top, total),
    );
    body.insert("businessUnitId".into(), BUSINESS_UNIT_ID.into());
    if l.poll_time {
        // The data's watermark, not the wall clock: equal requests give
        // equal pages.
        body.insert(
            "lastPollTime".into(),
            fmt_date(app.availability_ms()).into(),
        );
    }
    body.insert("totalRecords".into(), total.into());
    body.insert(
        l.key.into(),
        selected[from..to].iter().copied().cloned().collect(),
    );
    if l.key == "agents" {
        body.insert("hiddenAgents".into(), 0.into());
    }
    Ok(Reply::json(
        StatusCode::OK,
        serde_json::to_vec(&body).expect("json"),
    ))
}

fn ms(v: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(v.trim())
        .ok()
        .map(|t| t.timestamp_millis())
}
