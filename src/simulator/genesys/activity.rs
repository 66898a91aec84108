//! Genesys user activity (`directory-and-activity.md` §2.1–2.2): each
//! user's presence and routing-status timelines, stored the way the
//! analytics index keeps them, and the `userDetails` rows it answers with.
//!
//! A closed period is stored on its start day and again on its end day
//! ("the user status is stored twice – once for the start day and once for
//! the end day" [DEVDOC-UQ]); an open one on its start day only. A row is
//! one user's periods stored on one UTC day, so a user appears in several
//! rows and a period spanning midnight in two.

use super::pools::Pools;
use crate::simulator::core::json::W;
use crate::simulator::core::records::mix;
use crate::simulator::core::timeline::{pick, tile, Span, DAY_MS};
use crate::simulator::{ActivityTruth, PresencePeriod, RoutingPeriod};
use chrono::DateTime;
use serde_json::Value;
use std::collections::HashSet;
use std::ops::Range;

/// `routingStatus` values (§2.2) and how often each is drawn.
const ROUTING: &[(&str, u32)] = &[
    ("OFF_QUEUE", 2),
    ("IDLE", 4),
    ("INTERACTING", 5),
    ("NOT_RESPONDING", 1),
    ("COMMUNICATING", 1),
];

/// One presence definition a period can name.
struct Presence {
    id: String,
    /// The analytics spelling (`ON_QUEUE`), not the definitions'
    /// (`OnQueue`): the case mismatch of §1.9.
    system: String,
    weight: u32,
}

pub(super) struct Activity {
    /// `userId`s in the order rows list them.
    users: Vec<String>,
    /// Per user (same index): the two timelines, in start order.
    presence: Vec<Vec<Span>>,
    routing: Vec<Vec<Span>>,
    defs: Vec<Presence>,
    /// The UTC day number of the first period; rows are numbered from it.
    first_day: i64,
}

/// A stored row: `(day - first_day) * users + user`, so rows sort by day,
/// then `userId`.
pub(super) type Row = u32;

/// `OnQueue` → `ON_QUEUE`.
fn analytics_case(system: &str) -> String {
    let mut out = String::new();
    for (i, c) in system.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// How often a definition is drawn: on queue most, offline next, then
/// breaks; org-defined ones (deactivated included, as historical periods
/// name them, §1.9) now and then.
fn presence_weight(system: &str, kind: &str) -> u32 {
    match (system, kind) {
        (_, "User") => 1,
        ("OnQueue", _) => 8,
        ("Available" | "Offline", _) => 4,
        ("Break" | "Meal", _) => 2,
        _ => 1,
    }
}

impl Activity {
    /// Timelines for every pool agent from a quarter day before `start_ms`
    /// (so the first day opens mid-period) to `end_ms`, naming the
    /// `presence` definitions the directory lists.
    pub(super) fn generate(
        pools: &Pools,
        presence: &[Value],
        seed: u64,
        per_day: usize,
        start_ms: i64,
        end_ms: i64,
    ) -> Activity {
        let defs: Vec<Presence> = presence
            .iter()
            .map(|d| {
                let system = d["systemPresence"].as_str().unwrap_or("");
                Presence {
                    id: d["id"].as_str().unwrap_or("").to_string(),
                    system: analytics_case(system),
                    weight: presence_weight(system, d["type"].as_str().unwrap_or("")),
                }
            })
            .collect();
        let weights: Vec<u32> = defs.iter().map(|d| d.weight).collect();
        let routing_weights: Vec<u32> = ROUTING.iter().map(|r| r.1).collect();
        let from = start_ms.div_euclid(DAY_MS) * DAY_MS - DAY_MS / 4;
        let mut users: Vec<String> = pools.agents.iter().map(|a| a.id.clone()).collect();
        users.sort();
        let timeline = |u: usize, salt: u64, w: &[u32]| {
            let mut rng = fastrand::Rng::with_seed(mix(seed ^ salt, u as u64));
            tile(&mut rng, from, end_ms, per_day, |r, p| pick(r, w, p))
        };
        Activity {
            presence: (0..users.len())
                .map(|u| timeline(u, 0xAC71_0001, &weights))
                .collect(),
            routing: (0..users.len())
                .map(|u| timeline(u, 0xAC71_0002, &routing_weights))
                .collect(),
            users,
            defs,
            first_day: from.div_euclid(DAY_MS),
        }
    }

    pub(super) fn user_index(&self, id: &str) -> Option<usize> {
        self.users.binary_search_by(|u| u.as_str().cmp(id)).ok()
    }

    /// The rows a query over `[s, e)` touches: every UTC day it touches,
    /// every user (of `only`, when given) with a period stored on that day
    /// and overlapping the interval. Ascending by day, then `userId`.
    pub(super) fn rows(&self, s: i64, e: i64, only: Option<&HashSet<usize>>) -> Vec<Row> {
        let n = self.users.len() as i64;
        let lo = s.div_euclid(DAY_MS).max(self.first_day);
        let hi = (e - 1).div_euclid(DAY_MS);
        let mut out = Vec::new();
        for day in lo..=hi {
            for u in 0..self.users.len() {
                if only.is_some_and(|o| !o.contains(&u)) {
                    continue;
                }
                let (p, r) = self.stored(u, day, s, e);
                if !p.is_empty() || !r.is_empty() {
                    out.push(((day - self.first_day) * n + u as i64) as Row);
                }
            }
        }
        out
    }

    /// User `u`'s presence and routing periods stored on `day` that overlap
    /// `[s, e)`, as index ranges into its timelines.
    fn stored(&self, u: usize, day: i64, s: i64, e: i64) -> (Range<usize>, Range<usize>) {
        let d0 = day * DAY_MS;
        // Helly in one dimension: a period overlapping both the day and the
        // interval (which overlap each other) overlaps their intersection.
        let (lo, hi) = (s.max(d0), e.min(d0 + DAY_MS));
        let range = |list: &[Span]| {
            let a = list.partition_point(|p| p.end_ms.is_some_and(|x| x <= lo));
            let mut b = list.partition_point(|p| p.start_ms < hi);
            // An open period is stored on its start day only.
            if b > a && list[b - 1].end_ms.is_none() && list[b - 1].start_ms < d0 {
                b -= 1;
            }
            a..b.max(a)
        };
        (range(&self.presence[u]), range(&self.routing[u]))
    }

    /// Writes `rows` as a `userDetails` array for a query over `[s, e)`.
    /// With `dedup`, a period already written earlier in this array is
    /// left out and a row left empty is dropped: "pages may contain fewer
    /// than the requested page size entries … [the] redundant status entry
    /// [is filtered]" [DEVDOC-UQ]. Copies on other pages still come back.
    pub(super) fn push_rows(&self, out: &mut Vec<u8>, rows: &[Row], s: i64, e: i64, dedup: bool) {
        let n = self.users.len();
        let mut seen: HashSet<(usize, bool, i64)> = HashSet::new();
        let mut w = W::default();
        w.b = std::mem::take(out);
        w.arr();
        for &row in rows {
            let (day, u) = (self.first_day + (row as usize / n) as i64, row as usize % n);
            let (p, r) = self.stored(u, day, s, e);
            let mut keep = |routing: bool, list: &[Span], range: Range<usize>| -> Vec<Span> {
                list[range]
                    .iter()
                    .filter(|x| !dedup || seen.insert((u, routing, x.start_ms)))
                    .copied()
                    .collect()
            };
            let presence = keep(false, &self.presence[u], p);
            let routing = keep(true, &self.routing[u], r);
            if presence.is_empty() && routing.is_empty() {
                continue;
            }
            w.obj();
            w.ks("userId", &self.users[u]);
            if !presence.is_empty() {
                w.key("primaryPresence");
                w.arr();
                for x in &presence {
                    let def = &self.defs[x.state as usize];
                    push_times(&mut w, x);
                    w.ks("systemPresence", &def.system);
                    w.ks("organizationPresenceId", &def.id);
                    w.end_obj();
                }
                w.end_arr();
            }
            if !routing.is_empty() {
                w.key("routingStatus");
                w.arr();
                for x in &routing {
                    push_times(&mut w, x);
                    w.ks("routingStatus", ROUTING[x.state as usize].0);
                    w.end_obj();
                }
                w.end_arr();
            }
            w.end_obj();
        }
        w.end_arr();
        *out = w.b;
    }

    /// Every period starting in `[s, e)`, once, by user then start.
    pub(super) fn truth(&self, s: i64, e: i64) -> ActivityTruth {
        let at = |ms: i64| DateTime::from_timestamp_millis(ms).expect("in range");
        let owned = |list: &[Span]| {
            let a = list.partition_point(|p| p.start_ms < s);
            let b = list.partition_point(|p| p.start_ms < e);
            list[a..b].to_vec()
        };
        let mut truth = ActivityTruth::default();
        for (u, id) in self.users.iter().enumerate() {
            for x in owned(&self.presence[u]) {
                let def = &self.defs[x.state as usize];
                truth.presence.push(PresencePeriod {
                    user_id: id.clone(),
                    start: at(x.start_ms),
                    end: x.end_ms.map(at),
                    system_presence: def.system.clone(),
                    organization_presence_id: def.id.clone(),
                });
            }
            for x in owned(&self.routing[u]) {
                truth.routing.push(RoutingPeriod {
                    user_id: id.clone(),
                    start: at(x.start_ms),
                    end: x.end_ms.map(at),
                    routing_status: ROUTING[x.state as usize].0.to_string(),
                });
            }
        }
        truth
    }
}

/// Opens a period object with `startTime` and, once it ended, `endTime`.
fn push_times(w: &mut W, x: &Span) {
    w.obj();
    w.kd("startTime", x.start_ms);
    if let Some(end) = x.end_ms {
        w.kd("endTime", end);
    }
}

#[cfg(test)]
mod tests {
    use super::analytics_case;

    #[test]
    fn analytics_spelling_of_system_presences() {
        assert_eq!(analytics_case("OnQueue"), "ON_QUEUE");
        assert_eq!(analytics_case("Available"), "AVAILABLE");
    }
}
