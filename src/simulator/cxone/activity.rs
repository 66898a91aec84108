//! CXone bulk agent state history, `GET …/agents/state-history`
//! (`directory-and-activity.md` §4.5): every agent's state timeline with
//! sessions and state indexes, paged with `skip`/`top` over the states
//! whose `startDate` lies in `[startDate, endDate)`.

use super::api::{bad, links, refuse_others, top_skip};
use super::data::BUSINESS_UNIT_ID;
use super::pools::{Media, Pools, MEDIA, OUTBOUND};
use crate::simulator::core::json::{push_date, W};
use crate::simulator::core::records::mix;
use crate::simulator::core::timeline::{pick, tile, DAY_MS};
use crate::simulator::core::{query, App, Reply};
use crate::simulator::{ActivityTruth, AgentState};
use axum::http::StatusCode;
use bytes::Bytes;
use chrono::DateTime;

/// The resource after `services/vNN.0/`.
pub(super) const STATE_HISTORY: &str = "agents/state-history";
/// Sibling reporting endpoints cap ranges at 30 days ("Invalid date range.
/// Max 30 days" [CXLEG v10]); assumed here (§4.5, inference).
const MAX_RANGE_MS: i64 = 30 * DAY_MS;
/// `top` limits are UNCONFIRMED (§4.0); the reporting API's 10,000 is
/// both default and limit, as for completed contacts.
const MAX_TOP: u64 = 10_000;

/// v10's `agentStateId` enumeration [CXLEG] and how often each is drawn.
/// `LoggedIn` only follows `LoggedOut`.
const STATES: &[(&str, u32)] = &[
    ("LoggedOut", 1),
    ("Available", 4),
    ("Unavailable", 3),
    ("InboundContact", 5),
    ("OutboundContact", 2),
    ("InboundConsult", 1),
    ("OutboundConsult", 1),
    ("Dialer", 1),
    ("LoggedIn", 0),
];
const LOGGED_OUT: u8 = 0;
const UNAVAILABLE: u8 = 2;
const INBOUND: u8 = 3;
const OUTBOUND_CONTACT: u8 = 4;
const OUTBOUND_CONSULT: u8 = 6;
const DIALER: u8 = 7;
const LOGGED_IN: u8 = 8;
/// Unavailable codes ("outstates"; after-call work is one, §4.5).
const OUT_STATES: &[(i64, &str)] = &[
    (1, "Break"),
    (2, "Lunch"),
    (3, "Meeting"),
    (4, "ACW"),
    (5, "Training"),
];
/// Contact ids of state rows: their own range, beyond 2^32 like the
/// completed contacts' ones.
const FIRST_CONTACT_ID: i64 = 7_000_000_000;

/// One agent state, in the order pages serve them.
struct State {
    agent: u32,
    start_ms: i64,
    /// `None`: the agent's current state.
    end_ms: Option<i64>,
    state: u8,
    session: i64,
    index: u32,
    /// Index into the skill table; contact states only.
    skill: Option<u16>,
    out: Option<u8>,
    contact: i64,
    /// Last four digits of the customer's number.
    phone: u16,
}

pub(super) struct Activity {
    states: Vec<State>,
    /// `(agentId, teamId)` per pool agent.
    agents: Vec<(i64, i64)>,
    /// Every `(media, skill)` a contact state may carry.
    skills: Vec<(&'static Media, (i64, &'static str))>,
    /// Every Nth row (1-based) sends `duration` as a number.
    number_every: Option<u32>,
}

impl Activity {
    /// Timelines for every pool agent from a quarter day before `start_ms`
    /// to `end_ms`.
    pub(super) fn generate(
        pools: &Pools,
        seed: u64,
        per_day: usize,
        start_ms: i64,
        end_ms: i64,
        number_every: Option<u32>,
    ) -> Activity {
        let skills: Vec<_> = MEDIA
            .iter()
            .flat_map(|m| m.skills.iter().map(move |s| (*m, *s)))
            .collect();
        // Outbound calls share the phone media type: their point of contact
        // tells them apart.
        let is_outbound = |i: &u16| skills[*i as usize].0.poc.0 == OUTBOUND.poc.0;
        let (outbound, inbound): (Vec<u16>, Vec<u16>) =
            (0..skills.len() as u16).partition(is_outbound);
        let weights: Vec<u32> = STATES.iter().map(|s| s.1).collect();
        let from = start_ms.div_euclid(DAY_MS) * DAY_MS - DAY_MS / 4;
        let mut states = Vec::new();
        let mut contact = FIRST_CONTACT_ID;
        for (k, _) in pools.agents.iter().enumerate() {
            let mut rng = fastrand::Rng::with_seed(mix(seed ^ 0xAC71_0C01, k as u64));
            let spans = tile(&mut rng, from, end_ms, per_day, |r, prev| match prev {
                Some(LOGGED_OUT) => LOGGED_IN,
                p => pick(r, &weights, p),
            });
            // Sessions run from LoggedIn to LoggedOut ("created when the
            // agent logs in, and ended when they log out" [CXLEG]).
            let mut session = 900_000_000 + k as i64 * 10_000;
            let mut index = 0;
            for x in spans {
                if x.state == LOGGED_IN {
                    session += 1;
                    index = 0;
                }
                index += 1;
                let skill = match x.state {
                    INBOUND => Some(inbound[rng.usize(..inbound.len())]),
                    OUTBOUND_CONTACT => Some(outbound[rng.usize(..outbound.len())]),
                    _ => None,
                };
                if skill.is_some() {
                    contact += 1 + rng.i64(0..4);
                }
                states.push(State {
                    agent: k as u32,
                    start_ms: x.start_ms,
                    end_ms: x.end_ms,
                    state: x.state,
                    session,
                    index,
                    skill,
                    out: (x.state == UNAVAILABLE).then(|| rng.u8(..OUT_STATES.len() as u8)),
                    contact: if skill.is_some() { contact } else { 0 },
                    phone: rng.u16(..10_000),
                });
                if x.state == LOGGED_OUT {
                    index = 0;
                }
            }
        }
        let agents: Vec<(i64, i64)> = pools
            .agents
            .iter()
            .map(|a| (a.id, pools.teams[a.team].0))
            .collect();
        states.sort_by_key(|s| (s.start_ms, agents[s.agent as usize].0, s.index));
        Activity {
            states,
            agents,
            skills,
            number_every,
        }
    }

    /// `duration` in ms: to the end, or to `poll_ms` for a current state.
    fn duration_ms(s: &State, poll_ms: i64) -> i64 {
        s.end_ms.unwrap_or(poll_ms.max(s.start_ms)) - s.start_ms
    }

    /// The states whose start lies in `[lo, hi)`, as a range of `states`.
    fn owned(&self, lo: i64, hi: i64) -> std::ops::Range<usize> {
        let a = self.states.partition_point(|s| s.start_ms < lo);
        let b = self.states.partition_point(|s| s.start_ms < hi);
        a..b
    }

    /// Writes the `i`-th state row.
    fn push_row(&self, w: &mut W, i: usize, poll_ms: i64) {
        let s = &self.states[i];
        let (agent, team) = self.agents[s.agent as usize];
        let skill = s.skill.map(|k| self.skills[k as usize]);
        let outbound = matches!(s.state, OUTBOUND_CONTACT | OUTBOUND_CONSULT | DIALER);
        w.obj();
        w.ki("agentId", agent);
        w.ki("agentSessionId", s.session);
        w.ki("stateIndex", i64::from(s.index));
        w.kd("startDate", s.start_ms);
        w.ki("agentStateId", i64::from(s.state));
        w.ks("agentStateName", STATES[s.state as usize].0);
        let (out_id, out_name) = s.out.map_or((0, ""), |o| OUT_STATES[o as usize]);
        w.ki("outStateId", out_id);
        // Typed integer in v34, string in v10: a string, as the sheet
        // expects (§4.5).
        w.ks("outStateDescription", out_name);
        w.ki("skillId", skill.map_or(0, |(_, (id, _))| id));
        w.ks("skillName", skill.map_or("", |(_, (_, n))| n));
        w.ki("mediaTypeId", skill.map_or(0, |(m, _)| m.id));
        w.ks("mediaTypeName", skill.map_or("", |(m, _)| m.name));
        w.ki("contactId", s.contact);
        let customer = format!("+1317555{:04}", s.phone);
        let (from, to) = match skill {
            None => (String::new(), String::new()),
            Some((m, _)) if outbound => (m.poc.2.to_string(), customer),
            Some((m, _)) => (customer, m.poc.2.to_string()),
        };
        w.ks("fromAddress", &from);
        w.ks("toAddress", &to);
        // v34 types `duration` a string holding a double; v10 a number of
        // seconds (§4.5): every Nth row sends the number.
        let ms = Self::duration_ms(s, poll_ms);
        if self
            .number_every
            .is_some_and(|n| n > 0 && (i + 1) % n as usize == 0)
        {
            w.ksecs("duration", ms);
        } else {
            let mut text = W::default();
            text.secs(ms);
            w.ks("duration", std::str::from_utf8(&text.b).expect("ascii"));
        }
        w.kb("isOutbound", outbound);
        w.kb("isNaturalCalling", false);
        w.ki("stationId", 0);
        w.ks("stationName", "");
        w.ki("teamId", team);
        w.end_obj();
    }

    /// Every state starting in `[s, e)`, once, by agent then start.
    pub(super) fn truth(&self, s: i64, e: i64, poll_ms: i64) -> ActivityTruth {
        let at = |ms: i64| DateTime::from_timestamp_millis(ms).expect("in range");
        let mut states: Vec<AgentState> = self.states[self.owned(s, e)]
            .iter()
            .map(|x| {
                let (agent_id, team_id) = self.agents[x.agent as usize];
                let skill = x.skill.map(|k| self.skills[k as usize]);
                AgentState {
                    agent_id,
                    agent_session_id: x.session,
                    state_index: i64::from(x.index),
                    start: at(x.start_ms),
                    agent_state_id: i64::from(x.state),
                    agent_state_name: STATES[x.state as usize].0.to_string(),
                    out_state_id: x.out.map_or(0, |o| OUT_STATES[o as usize].0),
                    skill_id: skill.map_or(0, |(_, (id, _))| id),
                    media_type_id: skill.map_or(0, |(m, _)| m.id),
                    contact_id: x.contact,
                    team_id,
                    duration_ms: Self::duration_ms(x, poll_ms),
                }
            })
            .collect();
        states.sort_by_key(|x| (x.agent_id, x.start));
        ActivityTruth {
            cxone_states: states,
            ..ActivityTruth::default()
        }
    }

    /// `GET path?query`: the page, a 204 when nothing starts in the range,
    /// or a 400.
    pub(super) fn serve(&self, app: &App, path: &str, query: &str) -> Reply {
        let params = query::parse(query);
        self.page(app, path, query, &params)
            .unwrap_or_else(|m| bad(&m))
    }

    fn page(
        &self,
        app: &App,
        path: &str,
        query: &str,
        params: &[(String, String)],
    ) -> Result<Reply, String> {
        // Filters and projections the simulator would not honour are
        // refused rather than ignored.
        refuse_others(params, &["startDate", "endDate", "top", "skip"])?;
        let get = |k: &str| query::get(params, k);
        let date = |k: &str| {
            get(k)
                .and_then(|v| chrono::DateTime::parse_from_rfc3339(v.trim()).ok())
                .map(|t| t.timestamp_millis())
        };
        // None is required in v34 (§4.5); the simulator needs both.
        let (Some(s), Some(e)) = (date("startDate"), date("endDate")) else {
            return Err("Invalid date range: startDate and endDate are required".into());
        };
        if s >= e || e - s > MAX_RANGE_MS {
            return Err("Invalid date range".into());
        }
        let (top, skip) = top_skip(params, MAX_TOP, MAX_TOP)?;
        let range = self.owned(s, e);
        let total = range.len() as u64;
        if total == 0 {
            return Ok(Reply::new(StatusCode::NO_CONTENT, "", Bytes::new()));
        }
        let from = range.start + skip.min(total) as usize;
        let to = (from + top as usize).min(range.end);
        let poll = app.availability_ms();
        let mut w = W::default();
        w.b.reserve((to - from) * 600 + 512);
        w.b.extend_from_slice(b"{\"_links\":");
        let l = links(app, path, query, params, skip, top, total);
        w.b.extend_from_slice(l.to_string().as_bytes());
        w.b.extend_from_slice(b",\"businessUnitId\":");
        w.b.extend_from_slice(BUSINESS_UNIT_ID.to_string().as_bytes());
        // The data's watermark, not the wall clock: equal requests give
        // equal pages.
        w.b.extend_from_slice(b",\"lastPollTime\":\"");
        push_date(&mut w.b, poll);
        w.b.extend_from_slice(b"\",\"totalRecords\":");
        w.b.extend_from_slice(total.to_string().as_bytes());
        w.b.extend_from_slice(b",\"agentStateHistory\":");
        w.arr();
        for i in from..to {
            self.push_row(&mut w, i, poll);
        }
        w.end_arr();
        w.b.push(b'}');
        Ok(Reply::json(StatusCode::OK, w.b))
    }
}
