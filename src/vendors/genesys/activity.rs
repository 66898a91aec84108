//! `user_activity`: users' presence and routing-status periods from the
//! analytics user details (fact sheet `directory-and-activity.md` §2), into
//! `genesys_user_presence`, `genesys_user_routing_status` and the unified
//! `agent_states`.
//!
//! The same query/jobs machinery and stream as conversations serve it
//! ([`super::detail_stream`], the same `auto` choice), queried by whole UTC days because
//! Genesys stores a period on its start day and again on its end day
//! (§2.1): a period is written by the slice that holds its `startTime`, once
//! (the second copy is a duplicate of the slice), with a null end while it
//! is open.

use crate::connector::PageMeta;
use crate::transform::columns::{arr, strings, timestamps, AgentState, AgentStateColumns};
use crate::transform::reason::page_text;
use crate::transform::{
    make_batch, parse_timestamp_micros, PageError, PageOutput, PageStats, QuarantinedRecord,
    SeenIds, Table, TableBatch,
};
use crate::Interval;
use arrow::array::{Int64Builder, StringBuilder, TimestampMicrosecondBuilder};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt::Write as _;

/// The stream's tables, in the order of its batches.
pub(crate) const ACTIVITY_TABLES: [&str; 3] = [
    "genesys_user_presence",
    "genesys_user_routing_status",
    "agent_states",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPage<'a> {
    #[serde(borrow, default)]
    user_details: Option<Vec<&'a RawValue>>,
    total_hits: Option<u64>,
    #[serde(borrow)]
    cursor: Option<Cow<'a, str>>,
    #[serde(borrow)]
    data_availability_date: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserDetail<'a> {
    #[serde(borrow)]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    primary_presence: Vec<Period<'a>>,
    #[serde(borrow, default)]
    routing_status: Vec<Period<'a>>,
}

/// A presence or routing-status record: the fields of both.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Period<'a> {
    #[serde(borrow)]
    start_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    end_time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    system_presence: Option<Cow<'a, str>>,
    #[serde(borrow)]
    organization_presence_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    routing_status: Option<Cow<'a, str>>,
}

/// The columns of one of the two period tables.
struct PeriodColumns {
    user_id: StringBuilder,
    started_at: TimestampMicrosecondBuilder,
    ended_at: TimestampMicrosecondBuilder,
    duration_ms: Int64Builder,
    a: StringBuilder,
    b: Option<StringBuilder>,
}

impl PeriodColumns {
    fn new(n: usize, two_values: bool) -> Self {
        PeriodColumns {
            user_id: strings(n, 36),
            started_at: timestamps(n),
            ended_at: timestamps(n),
            duration_ms: Int64Builder::with_capacity(n),
            a: strings(n, 12),
            b: two_values.then(|| strings(n, 36)),
        }
    }

    fn finish(self, table: &str, names: [&'static str; 2]) -> TableBatch {
        let mut columns = vec![
            ("user_id", arr(self.user_id)),
            ("started_at", arr(self.started_at)),
            ("ended_at", arr(self.ended_at)),
            ("duration_ms", arr(self.duration_ms)),
            (names[0], arr(self.a)),
        ];
        if let Some(b) = self.b {
            columns.push((names[1], arr(b)));
        }
        make_batch(Table::named(table), columns)
    }
}

/// A period checked against the slice: owned, elsewhere, or unreadable.
enum Verdict {
    Own { start: i64, end: Option<i64> },
    NotOurs,
    Bad(String),
}

fn judge(p: &Period, window: (i64, i64)) -> Verdict {
    let Some(start) = p.start_time.as_deref() else {
        return Verdict::Bad("startTime is missing".into());
    };
    let start = match parse_timestamp_micros(start) {
        Ok(us) => us,
        Err(e) => return Verdict::Bad(format!("startTime: {e}")),
    };
    let end = match p.end_time.as_deref().map(parse_timestamp_micros) {
        None => None,
        Some(Ok(us)) if us >= start => Some(us),
        Some(Ok(_)) => return Verdict::Bad("endTime is before startTime".into()),
        Some(Err(e)) => return Verdict::Bad(format!("endTime: {e}")),
    };
    if start < window.0 || start >= window.1 {
        return Verdict::NotOurs;
    }
    Verdict::Own { start, end }
}

/// One user details page (query or jobs results shape) → the three tables.
pub(crate) fn activity_page(
    body: &[u8],
    slice: &Interval,
    seen: &mut SeenIds,
) -> std::result::Result<PageOutput, PageError> {
    let window = (
        slice.start().timestamp_micros(),
        slice.end().timestamp_micros(),
    );
    let text = page_text(body)?;
    let page: RawPage = serde_json::from_str(text)
        .map_err(|e| PageError::Malformed(format!("user details page: {e}")))?;
    let records = page.user_details.unwrap_or_default();
    let n = records.len() * 8;
    let (mut presence, mut routing) = (PeriodColumns::new(n, true), PeriodColumns::new(n, false));
    let mut unified = AgentStateColumns::new(n * 2);
    let mut stats = PageStats::default();
    let mut quarantined = Vec::new();
    let mut periods = 0usize;
    // One buffer for every period's dedupe key: a million periods, no allocation each.
    let mut key = String::new();
    for (i, raw) in records.iter().enumerate() {
        let detail: UserDetail = match serde_json::from_str(raw.get()) {
            Ok(d) => d,
            Err(e) => {
                quarantined.push(quarantine(i, raw, format!("does not fit the model: {e}")));
                continue;
            }
        };
        let Some(user) = detail.user_id.as_deref().filter(|u| !u.is_empty()) else {
            quarantined.push(quarantine(i, raw, "userId is missing".into()));
            continue;
        };
        // Check the whole record first: a bad period quarantines the record,
        // and nothing of it is written.
        let judged: Vec<(&str, &Period, Verdict)> = detail
            .primary_presence
            .iter()
            .map(|p| ("presence", p, judge(p, window)))
            .chain(
                detail
                    .routing_status
                    .iter()
                    .map(|p| ("routing", p, judge(p, window))),
            )
            .collect();
        if let Some(reason) = judged.iter().find_map(|(kind, _, v)| match v {
            Verdict::Bad(r) => Some(format!("{kind} period: {r}")),
            _ => None,
        }) {
            quarantined.push(quarantine(i, raw, reason));
            continue;
        }
        for (kind, p, verdict) in judged {
            periods += 1;
            let Verdict::Own { start, end } = verdict else {
                stats.out_of_window += 1;
                continue;
            };
            key.clear();
            write!(key, "{user}|{kind}|{start}").expect("writing to a String cannot fail");
            if !seen.insert(&key) {
                // Stored on the start day and the end day (§2.1).
                stats.duplicates += 1;
                continue;
            }
            let (columns, state, detail) = if kind == "presence" {
                let detail = p.organization_presence_id.as_deref();
                (&mut presence, p.system_presence.as_deref(), detail)
            } else {
                (&mut routing, p.routing_status.as_deref(), None)
            };
            columns.user_id.append_value(user);
            columns.started_at.append_value(start);
            columns.ended_at.append_option(end);
            columns
                .duration_ms
                .append_option(end.map(|e| (e - start) / 1000));
            columns.a.append_option(state);
            if let Some(b) = &mut columns.b {
                b.append_option(detail);
            }
            unified.append(&AgentState {
                agent_id: user,
                kind,
                started_at: start,
                ended_at: end,
                state,
                state_detail: detail,
            });
        }
    }
    let meta = PageMeta {
        cursor: page.cursor.map(Cow::into_owned).filter(|c| !c.is_empty()),
        total_hits: page.total_hits,
        data_availability: page
            .data_availability_date
            .as_deref()
            .and_then(|t| crate::interval::parse_time(t).ok()),
        // Periods, so that the paging guard's freshness counts what repeats.
        records: periods.max(records.len()),
        fresh: None,
    };
    Ok(PageOutput {
        meta,
        batches: vec![
            presence.finish(
                "genesys_user_presence",
                ["system_presence", "organization_presence_id"],
            ),
            routing.finish("genesys_user_routing_status", ["routing_status", ""]),
            unified.finish(),
        ],
        quarantined,
        stats,
    })
}

fn quarantine(i: usize, raw: &RawValue, reason: String) -> QuarantinedRecord {
    QuarantinedRecord {
        reason: format!("userDetails[{i}]: {reason}"),
        raw: raw.get().to_string(),
        started_at: None,
    }
}
