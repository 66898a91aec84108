//! `agent_states`: the bulk agent state history (`GET /agents/state-history`,
//! fact sheet `directory-and-activity.md` §4.5) into `cxone_agent_states`
//! and the unified `agent_states`.
//!
//! Paged with `top`/`skip` like completed contacts; slices never exceed a
//! day, far inside the 30-day range the endpoint accepts. The API gives no
//! end per row: `ended_at = start_date + duration`, with `duration` read
//! leniently (v34 types it a string holding a double; v10 sent a number).

use super::{page_url, with_window, Cxone, Totals};
use crate::connector::{
    PageConsumer, PageMeta, PageTransform, SliceReport, Stream, StreamKind, Work,
};
use crate::http::ApiRequest;
use crate::transform::columns::{arr, strings, timestamps, AgentState, AgentStateColumns};
use crate::transform::reason::page_text;
use crate::transform::{
    make_batch, parse_timestamp_micros, PageError, PageOutput, PageStats, QuarantinedRecord,
    SeenIds, Table,
};
use crate::{Interval, Result};
use arrow::array::{BooleanBuilder, Float64Builder, Int64Builder};
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::Arc;

/// The stream's tables, in the order of its batches.
pub(crate) const STATE_TABLES: [&str; 2] = ["cxone_agent_states", "agent_states"];

/// Named on a 403: the access key's security profile governs reporting data.
const PERMISSION: &str =
    "Reporting API access to agent state history (the access key's CXone role)";

pub(super) struct AgentStates {
    api: Arc<Cxone>,
    tables: [Table; 2],
}

impl AgentStates {
    pub(super) fn new(api: Arc<Cxone>) -> Self {
        AgentStates {
            api,
            tables: STATE_TABLES.map(Table::named),
        }
    }
}

impl Stream for AgentStates {
    fn name(&self) -> &'static str {
        "agent_states"
    }

    fn kind(&self) -> StreamKind {
        StreamKind::Interval
    }

    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn transform(&self) -> PageTransform {
        Arc::new(states_page)
    }

    fn plan_offline(&self, slices: &[Interval]) -> Vec<Work> {
        Work::each(slices, "agent-state-history")
    }

    fn extract<'a>(
        &'a self,
        work: &'a Work,
        consumer: &'a mut dyn PageConsumer,
    ) -> BoxFuture<'a, Result<SliceReport>> {
        Box::pin(async move {
            let base = self.api.services_url("agents/state-history").await?;
            let what = format!("agents/state-history for {}", work.interval);
            let top = self.api.settings.top;
            let base = with_window(&base, &work.interval);
            self.api
                .page_through(&base, top, Totals::EndPaging, PERMISSION, what, consumer)
                .await
        })
    }
}

impl Cxone {
    /// Preflight: the state history of the millisecond before `now`, `top=1`
    /// (a 204 is success); returns the URL that answered.
    pub(crate) async fn probe_state_history(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<url::Url> {
        let window = Interval::new(now - chrono::Duration::milliseconds(1), now)
            .map_err(|e| crate::Error::Internal(e.to_string()))?;
        let base = self.services_url("agents/state-history").await?;
        let url = page_url(&with_window(&base, &window), 1, 0);
        self.client
            .send(&ApiRequest::get(url.clone(), PERMISSION))
            .await?;
        Ok(url)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPage<'a> {
    #[serde(borrow, default)]
    agent_state_history: Option<Vec<&'a RawValue>>,
    total_records: Option<Value>,
}

/// One state row, with every number read leniently (numbers or strings).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    agent_id: Option<Value>,
    agent_session_id: Option<Value>,
    state_index: Option<Value>,
    start_date: Option<String>,
    duration: Option<Value>,
    agent_state_id: Option<Value>,
    agent_state_name: Option<String>,
    out_state_id: Option<Value>,
    out_state_description: Option<Value>,
    skill_id: Option<Value>,
    skill_name: Option<String>,
    media_type_id: Option<Value>,
    media_type_name: Option<String>,
    contact_id: Option<Value>,
    from_address: Option<String>,
    to_address: Option<String>,
    is_outbound: Option<Value>,
    team_id: Option<Value>,
}

fn int(v: &Option<Value>) -> Option<i64> {
    match v.as_ref()? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn float(v: &Option<Value>) -> Option<f64> {
    match v.as_ref()? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite() && *f >= 0.0)
}

fn text(v: &Option<Value>) -> Option<String> {
    match v.as_ref()? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn boolean(v: &Option<Value>) -> Option<bool> {
    match v.as_ref()? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// One state-history page → `cxone_agent_states` and `agent_states`.
pub(crate) fn states_page(
    body: &[u8],
    slice: &Interval,
    seen: &mut SeenIds,
) -> std::result::Result<PageOutput, PageError> {
    let window = (
        slice.start().timestamp_micros(),
        slice.end().timestamp_micros(),
    );
    let page: RawPage = serde_json::from_str(page_text(body)?)
        .map_err(|e| PageError::Malformed(format!("agent state history page: {e}")))?;
    let rows = page.agent_state_history.unwrap_or_default();
    let n = rows.len();
    let mut c = Columns::new(n);
    let mut unified = AgentStateColumns::new(n);
    let mut stats = PageStats::default();
    let mut quarantined = Vec::new();
    // Reused for every row's dedupe key and agent id text: no allocation per row.
    let (mut key, mut agent_text) = (String::new(), String::new());
    for (i, raw) in rows.iter().enumerate() {
        let bad = |reason: String| QuarantinedRecord {
            reason: format!("agentStateHistory[{i}]: {reason}"),
            raw: raw.get().to_string(),
            started_at: None,
        };
        let row: Row = match serde_json::from_str(raw.get()) {
            Ok(r) => r,
            Err(e) => {
                quarantined.push(bad(format!("does not fit the model: {e}")));
                continue;
            }
        };
        let (Some(agent), Some(session), Some(index)) = (
            int(&row.agent_id),
            int(&row.agent_session_id),
            int(&row.state_index),
        ) else {
            quarantined.push(bad(
                "agentId, agentSessionId and stateIndex are required".into()
            ));
            continue;
        };
        let start = match row.start_date.as_deref().map(parse_timestamp_micros) {
            Some(Ok(us)) => us,
            Some(Err(e)) => {
                quarantined.push(bad(format!("startDate: {e}")));
                continue;
            }
            None => {
                quarantined.push(bad("startDate is missing".into()));
                continue;
            }
        };
        if start < window.0 || start >= window.1 {
            stats.out_of_window += 1;
            continue;
        }
        key.clear();
        write!(key, "{agent}|{session}|{index}").expect("writing to a String cannot fail");
        if !seen.insert(&key) {
            stats.duplicates += 1;
            continue;
        }
        let duration = float(&row.duration);
        // Whole microseconds; a duration beyond any plausible state is dropped, not wrapped.
        let end = duration
            .filter(|d| *d < 1.0e9)
            .map(|d| start + (d * 1_000_000.0).round() as i64);
        let out_state = text(&row.out_state_description);
        c.agent_id.append_value(agent);
        c.agent_session_id.append_value(session);
        c.state_index.append_value(index);
        c.start_date.append_value(start);
        c.ended_at.append_option(end);
        c.duration_seconds.append_option(duration);
        c.agent_state_id.append_option(int(&row.agent_state_id));
        c.agent_state_name
            .append_option(row.agent_state_name.as_deref());
        c.out_state_id.append_option(int(&row.out_state_id));
        c.out_state_description.append_option(out_state.as_deref());
        c.skill_id.append_option(int(&row.skill_id));
        c.skill_name.append_option(row.skill_name.as_deref());
        c.media_type_id.append_option(int(&row.media_type_id));
        c.media_type_name
            .append_option(row.media_type_name.as_deref());
        c.contact_id.append_option(int(&row.contact_id));
        c.from_address.append_option(row.from_address.as_deref());
        c.to_address.append_option(row.to_address.as_deref());
        c.is_outbound.append_option(boolean(&row.is_outbound));
        c.team_id.append_option(int(&row.team_id));
        unified.append(&AgentState {
            agent_id: {
                agent_text.clear();
                write!(agent_text, "{agent}").expect("writing to a String cannot fail");
                &agent_text
            },
            kind: "state",
            started_at: start,
            ended_at: end,
            state: row.agent_state_name.as_deref(),
            state_detail: out_state.as_deref(),
        });
    }
    Ok(PageOutput {
        meta: PageMeta {
            total_hits: int(&page.total_records).and_then(|t| u64::try_from(t).ok()),
            records: n,
            ..PageMeta::default()
        },
        batches: vec![c.finish(), unified.finish()],
        quarantined,
        stats,
    })
}

struct Columns {
    agent_id: Int64Builder,
    agent_session_id: Int64Builder,
    state_index: Int64Builder,
    start_date: arrow::array::TimestampMicrosecondBuilder,
    ended_at: arrow::array::TimestampMicrosecondBuilder,
    duration_seconds: Float64Builder,
    agent_state_id: Int64Builder,
    agent_state_name: arrow::array::StringBuilder,
    out_state_id: Int64Builder,
    out_state_description: arrow::array::StringBuilder,
    skill_id: Int64Builder,
    skill_name: arrow::array::StringBuilder,
    media_type_id: Int64Builder,
    media_type_name: arrow::array::StringBuilder,
    contact_id: Int64Builder,
    from_address: arrow::array::StringBuilder,
    to_address: arrow::array::StringBuilder,
    is_outbound: BooleanBuilder,
    team_id: Int64Builder,
}

impl Columns {
    fn new(n: usize) -> Self {
        let int = || Int64Builder::with_capacity(n);
        Columns {
            agent_id: int(),
            agent_session_id: int(),
            state_index: int(),
            start_date: timestamps(n),
            ended_at: timestamps(n),
            duration_seconds: Float64Builder::with_capacity(n),
            agent_state_id: int(),
            agent_state_name: strings(n, 12),
            out_state_id: int(),
            out_state_description: strings(n, 12),
            skill_id: int(),
            skill_name: strings(n, 16),
            media_type_id: int(),
            media_type_name: strings(n, 10),
            contact_id: int(),
            from_address: strings(n, 12),
            to_address: strings(n, 12),
            is_outbound: BooleanBuilder::with_capacity(n),
            team_id: int(),
        }
    }

    fn finish(self) -> crate::transform::TableBatch {
        make_batch(
            Table::named("cxone_agent_states"),
            vec![
                ("agent_id", arr(self.agent_id)),
                ("agent_session_id", arr(self.agent_session_id)),
                ("state_index", arr(self.state_index)),
                ("start_date", arr(self.start_date)),
                ("ended_at", arr(self.ended_at)),
                ("duration_seconds", arr(self.duration_seconds)),
                ("agent_state_id", arr(self.agent_state_id)),
                ("agent_state_name", arr(self.agent_state_name)),
                ("out_state_id", arr(self.out_state_id)),
                ("out_state_description", arr(self.out_state_description)),
                ("skill_id", arr(self.skill_id)),
                ("skill_name", arr(self.skill_name)),
                ("media_type_id", arr(self.media_type_id)),
                ("media_type_name", arr(self.media_type_name)),
                ("contact_id", arr(self.contact_id)),
                ("from_address", arr(self.from_address)),
                ("to_address", arr(self.to_address)),
                ("is_outbound", arr(self.is_outbound)),
                ("team_id", arr(self.team_id)),
            ],
        )
    }
}
