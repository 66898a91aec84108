//! The simulator's agent activity over real HTTP, against
//! `shared/vendor-apis/directory-and-activity.md` §2.1–2.3 (Genesys user
//! details query and jobs) and §4.5 (CXone bulk agent state history): what
//! an exactly-once client lands from the pages equals
//! [`Simulator::activity`], every id joins [`Simulator::directory`], and the
//! limits and faults apply.

use chrono::{DateTime, TimeZone, Utc};
use cxetl::simulator::{self, ActivityTruth, Faults, SimConfig, Simulator};
use cxetl::{Interval, Vendor};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const USERS: &str = "/api/v2/analytics/users/details";

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0).unwrap()
}

/// The whole simulated interval: 2026-11-20 to 2026-11-23.
fn whole() -> Interval {
    Interval::new(day(20), day(23)).unwrap()
}

/// `yyyy-mm-ddThh:mm:ss.SSSZ`, safe in a query string.
fn z(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn iso(interval: &Interval) -> String {
    format!("{}/{}", z(interval.start()), z(interval.end()))
}

/// The state-history query string over `interval`.
fn range(interval: &Interval) -> String {
    format!(
        "startDate={}&endDate={}",
        z(interval.start()),
        z(interval.end())
    )
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// A started simulator and a bearer token for it.
struct Api {
    sim: Simulator,
    tok: String,
}

impl Api {
    async fn start(cfg: SimConfig) -> Api {
        let sim = simulator::start(cfg, 0).await.unwrap();
        let cfg = sim.config();
        let form: Vec<(&str, &str)> = match sim.vendor() {
            Vendor::Genesys => vec![("grant_type", "client_credentials")],
            Vendor::Cxone => vec![
                ("grant_type", "password"),
                ("username", &cfg.access_key_id),
                ("password", &cfg.access_key_secret),
            ],
        };
        let path = match sim.vendor() {
            Vendor::Genesys => "/oauth/token",
            Vendor::Cxone => "/auth/token",
        };
        let r = reqwest::Client::new()
            .post(format!("{}{path}", sim.login_url()))
            .basic_auth(&cfg.client_id, Some(&cfg.client_secret))
            .form(&form)
            .send()
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        let tok = v["access_token"].as_str().unwrap().to_string();
        Api { sim, tok }
    }

    /// `method url` (relative to the API host when it starts with `/`),
    /// with a JSON body when given: status and body (Null when empty).
    async fn call(&self, method: Method, url: &str, body: Option<&Value>) -> (u16, Value) {
        let url = if url.starts_with('/') {
            format!("{}{url}", self.sim.api_url())
        } else {
            url.to_string()
        };
        let mut r = reqwest::Client::new()
            .request(method, url)
            .bearer_auth(&self.tok)
            .header("accept", "application/json");
        if let Some(b) = body {
            r = r
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `…/inContactAPI/services/v34.0/agents/state-history?{query}`.
    fn state_history(&self, query: &str) -> String {
        self.sim.cxone_completed_url().replace(
            "contacts/completed",
            &format!("agents/state-history?{query}"),
        )
    }
}

fn cxone() -> SimConfig {
    SimConfig {
        vendor: Vendor::Cxone,
        ..SimConfig::default()
    }
}

/// `(userId, kind, startTime)` → the latest `endTime` seen (`None` =
/// open): the natural key and the rule of §2.2/§5.3.
type Landed = BTreeMap<(String, &'static str, DateTime<Utc>), Option<DateTime<Utc>>>;

/// Lands a `userDetails` array, checking every period overlaps `interval`.
fn land(rows: &Value, interval: &Interval, out: &mut Landed) {
    for row in rows.as_array().unwrap() {
        let user = row["userId"].as_str().unwrap().to_string();
        for (kind, key) in [
            ("presence", "primaryPresence"),
            ("routing", "routingStatus"),
        ] {
            for p in row[key].as_array().into_iter().flatten() {
                let start = at(&p["startTime"]);
                let end = p.get("endTime").map(at);
                assert!(start < interval.end(), "{p}");
                assert!(end.is_none_or(|e| e > interval.start()), "{p}");
                let kind_state = if kind == "presence" {
                    &p["systemPresence"]
                } else {
                    &p["routingStatus"]
                };
                assert!(kind_state.is_string(), "{p}");
                let slot = out.entry((user.clone(), kind, start)).or_insert(end);
                if *slot != end {
                    assert!(slot.is_some() && end.is_some(), "open and closed copy: {p}");
                    *slot = (*slot).max(end);
                }
            }
        }
    }
}

/// The truth's Genesys periods in [`Landed`] form.
fn expected(truth: &ActivityTruth) -> Landed {
    let p = truth
        .presence
        .iter()
        .map(|p| ((p.user_id.clone(), "presence", p.start), p.end));
    let r = truth
        .routing
        .iter()
        .map(|r| ((r.user_id.clone(), "routing", r.start), r.end));
    p.chain(r).collect()
}

/// What an exactly-once client keeps: the periods the interval owns.
fn owned(landed: &Landed, interval: &Interval) -> Landed {
    landed
        .iter()
        .filter(|((_, _, start), _)| interval.contains(*start))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// Pages a users query to its end; returns the landed periods, the number
/// of period copies served and the page sizes.
async fn query_pages(api: &Api, body: Value, interval: &Interval) -> (Landed, usize, Vec<usize>) {
    let mut landed = Landed::new();
    let mut copies = 0;
    let mut sizes = Vec::new();
    let page_size = body["paging"]["pageSize"].as_u64().unwrap();
    for page in 1.. {
        let mut b = body.clone();
        b["paging"]["pageNumber"] = page.into();
        let (status, v) = api
            .call(Method::POST, &format!("{USERS}/query"), Some(&b))
            .await;
        assert_eq!(status, 200, "{v}");
        let rows = &v["userDetails"];
        sizes.push(rows.as_array().unwrap().len());
        copies += periods(rows);
        land(rows, interval, &mut landed);
        // Stop rule of §2.1: a short page is not the end.
        if page * page_size >= v["totalHits"].as_u64().unwrap() {
            break;
        }
    }
    (landed, copies, sizes)
}

fn periods(rows: &Value) -> usize {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["primaryPresence"].as_array().map_or(0, Vec::len)
                + r["routingStatus"].as_array().map_or(0, Vec::len)
        })
        .sum()
}

#[tokio::test]
async fn genesys_query_pages_dedupe_to_the_truth() {
    let api = Api::start(SimConfig::default()).await;
    let interval = whole();
    let body = json!({"interval": iso(&interval), "order": "asc", "paging": {"pageSize": 100}});
    let (landed, copies, _) = query_pages(&api, body, &interval).await;
    let truth = api.sim.activity(&interval);
    assert!(truth.presence.len() > 3000 && truth.routing.len() > 3000);
    assert!(truth.cxone_states.is_empty());
    // Periods spanning midnight inside the interval came back twice, on
    // other pages; those that started before it are served but not owned.
    assert!(copies > landed.len(), "{copies} copies of {}", landed.len());
    assert!(landed.len() > expected(&truth).len());
    assert_eq!(owned(&landed, &interval), expected(&truth));
    // The last period of each user is open, and served without endTime.
    assert_eq!(landed.values().filter(|e| e.is_none()).count(), 2 * 240);
}

#[tokio::test]
async fn genesys_query_of_one_day_and_one_user() {
    let api = Api::start(SimConfig::default()).await;
    let interval = Interval::new(day(21), day(22)).unwrap();
    let body = json!({"interval": iso(&interval), "paging": {"pageSize": 25}});
    let (landed, _, _) = query_pages(&api, body, &interval).await;
    assert_eq!(
        owned(&landed, &interval),
        expected(&api.sim.activity(&interval))
    );

    // A user filter allows 31 days; that user's rows of consecutive days
    // share a page, where the second copy of a midnight period is filtered.
    let user = api.sim.activity(&whole()).presence[0].user_id.clone();
    let filter = json!([{"type": "or", "predicates": [
        {"type": "dimension", "dimension": "userId", "operator": "matches", "value": user}]}]);
    let month = Interval::new(day(1), Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()).unwrap();
    let body = json!({"interval": iso(&month), "userFilters": filter, "paging": {"pageSize": 100}});
    let (status, v) = api
        .call(Method::POST, &format!("{USERS}/query"), Some(&body))
        .await;
    assert_eq!(status, 200, "{v}");
    let rows = v["userDetails"].as_array().unwrap();
    assert_eq!(rows.len() as u64, v["totalHits"].as_u64().unwrap());
    assert!(rows.iter().all(|r| r["userId"] == user.as_str()));
    let mut landed = Landed::new();
    land(&v["userDetails"], &month, &mut landed);
    assert_eq!(
        periods(&v["userDetails"]),
        landed.len(),
        "no copy within a page"
    );
    let truth = api.sim.activity(&month);
    let mine: Landed = expected(&truth)
        .into_iter()
        .filter(|((u, _, _), _)| *u == user)
        .collect();
    assert_eq!(landed, mine);
}

#[tokio::test]
async fn genesys_jobs_page_by_cursor_to_the_truth() {
    let api = Api::start(SimConfig::default()).await;
    let interval = whole();
    let (status, v) = api
        .call(
            Method::POST,
            &format!("{USERS}/jobs"),
            Some(&json!({"interval": iso(&interval)})),
        )
        .await;
    assert_eq!(status, 202, "{v}");
    let id = v["jobId"].as_str().unwrap().to_string();
    let job = format!("{USERS}/jobs/{id}");
    // The conversation jobs do not know a user details job.
    let other = job.replace("/users/", "/conversations/");
    assert_eq!(api.call(Method::GET, &other, None).await.0, 404);
    loop {
        let (status, v) = api.call(Method::GET, &job, None).await;
        assert_eq!(status, 200);
        match v["state"].as_str().unwrap() {
            "FULFILLED" => break,
            "QUEUED" | "PENDING" => {}
            s => panic!("{s}: {v}"),
        }
    }
    let (mut landed, mut copies, mut cursor) = (Landed::new(), 0, None::<String>);
    loop {
        let url = match &cursor {
            None => format!("{job}/results?pageSize=500"),
            Some(c) => format!("{job}/results?pageSize=500&cursor={c}"),
        };
        let (status, v) = api.call(Method::GET, &url, None).await;
        assert_eq!(status, 200, "{v}");
        assert!(v["dataAvailabilityDate"].is_string());
        copies += periods(&v["userDetails"]);
        land(&v["userDetails"], &interval, &mut landed);
        cursor = v["cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    assert!(copies > landed.len(), "both stored copies come back");
    assert_eq!(
        owned(&landed, &interval),
        expected(&api.sim.activity(&interval))
    );
    let (status, v) = api
        .call(Method::GET, &format!("{USERS}/jobs/availability"), None)
        .await;
    assert_eq!(status, 200);
    assert!(v["dataAvailabilityDate"].is_string());
    assert_eq!(api.call(Method::DELETE, &job, None).await.0, 204);
    assert_eq!(api.call(Method::GET, &job, None).await.0, 404);
}

#[tokio::test]
async fn interval_limits_answer_400() {
    let api = Api::start(SimConfig::default()).await;
    let eight = Interval::new(day(20), day(28)).unwrap();
    let user = api.sim.directory("users")[0]["id"].clone();
    let filter = json!([{"type": "or", "predicates": [{"dimension": "userId", "value": user}]}]);
    for path in ["query", "jobs"] {
        let url = format!("{USERS}/{path}");
        let plain = json!({"interval": iso(&eight)});
        let (status, v) = api.call(Method::POST, &url, Some(&plain)).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert!(v["message"].as_str().unwrap().contains("7 days"), "{v}");
        let filtered = json!({"interval": iso(&eight), "userFilters": filter});
        assert!(matches!(
            api.call(Method::POST, &url, Some(&filtered)).await.0,
            200 | 202
        ));
        let long = Interval::new(day(1), day(1) + chrono::Duration::days(32)).unwrap();
        let filtered = json!({"interval": iso(&long), "userFilters": filter});
        assert_eq!(api.call(Method::POST, &url, Some(&filtered)).await.0, 400);
    }

    let api = Api::start(cxone()).await;
    let (status, v) = api
        .call(
            Method::GET,
            &api.state_history("startDate=2026-11-01T00:00:00Z&endDate=2026-12-02T00:00:00Z"),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert!(v["error_description"]
        .as_str()
        .unwrap()
        .contains("Invalid date range"));
    let ok = api.state_history("startDate=2026-11-01T00:00:00Z&endDate=2026-12-01T00:00:00Z");
    assert_eq!(api.call(Method::GET, &ok, None).await.0, 200);
}

#[tokio::test]
async fn cxone_state_history_pages_to_the_truth() {
    let api = Api::start(cxone()).await;
    let interval = Interval::new(day(20), day(22)).unwrap();
    let truth = api.sim.activity(&interval);
    assert!(truth.presence.is_empty() && truth.cxone_states.len() > 1000);
    let mut url = api.state_history(&format!("{}&top=250", range(&interval)));
    let mut landed = BTreeMap::new();
    let mut numbers = 0;
    loop {
        let (status, v) = api.call(Method::GET, &url, None).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(
            v["totalRecords"].as_u64().unwrap() as usize,
            truth.cxone_states.len()
        );
        assert!(v["businessUnitId"].is_i64() && v["lastPollTime"].is_string());
        for r in v["agentStateHistory"].as_array().unwrap() {
            let start = at(&r["startDate"]);
            assert!(interval.contains(start), "{r}");
            // A string holding a double in v34, every Nth a number.
            let d = &r["duration"];
            numbers += usize::from(d.is_number());
            let secs: f64 = d
                .as_f64()
                .unwrap_or_else(|| d.as_str().unwrap().parse().unwrap());
            let key = (r["agentId"].as_i64().unwrap(), start);
            let row = (
                r["agentSessionId"].as_i64().unwrap(),
                r["stateIndex"].as_i64().unwrap(),
                r["agentStateId"].as_i64().unwrap(),
                r["agentStateName"].as_str().unwrap().to_string(),
                r["outStateId"].as_i64().unwrap(),
                r["skillId"].as_i64().unwrap(),
                r["mediaTypeId"].as_i64().unwrap(),
                r["contactId"].as_i64().unwrap(),
                r["teamId"].as_i64().unwrap(),
                (secs * 1000.0).round() as i64,
            );
            assert!(landed.insert(key, row).is_none(), "served once: {r}");
        }
        match v["_links"]["next"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert!(numbers > 0 && numbers < landed.len() / 2, "{numbers}");
    let want: BTreeMap<_, _> = truth
        .cxone_states
        .iter()
        .map(|s| {
            let row = (
                s.agent_session_id,
                s.state_index,
                s.agent_state_id,
                s.agent_state_name.clone(),
                s.out_state_id,
                s.skill_id,
                s.media_type_id,
                s.contact_id,
                s.team_id,
                s.duration_ms,
            );
            ((s.agent_id, s.start), row)
        })
        .collect();
    assert_eq!(landed, want);

    let empty = api.state_history("startDate=2025-01-01T00:00:00Z&endDate=2025-01-02T00:00:00Z");
    assert_eq!(
        api.call(Method::GET, &empty, None).await,
        (204, Value::Null)
    );
    let beyond = api.state_history(&format!("{}&skip=100000", range(&interval)));
    let (status, v) = api.call(Method::GET, &beyond, None).await;
    assert_eq!(
        (status, v["agentStateHistory"].as_array().map(Vec::len)),
        (200, Some(0))
    );
}

fn ids(list: &[Value], key: &str) -> BTreeSet<String> {
    list.iter().map(|v| v[key].to_string()).collect()
}

#[tokio::test]
async fn every_activity_id_joins_the_directories() {
    let g = Api::start(SimConfig::default()).await;
    let truth = g.sim.activity(&whole());
    let users = ids(&g.sim.directory("users"), "id");
    let presence = ids(&g.sim.directory("presencedefinitions"), "id");
    let q = |s: &str| Value::from(s).to_string();
    for p in &truth.presence {
        assert!(users.contains(&q(&p.user_id)), "{p:?}");
        assert!(presence.contains(&q(&p.organization_presence_id)), "{p:?}");
    }
    assert!(truth.routing.iter().all(|r| users.contains(&q(&r.user_id))));
    let used: BTreeSet<_> = truth
        .presence
        .iter()
        .map(|p| &p.organization_presence_id)
        .collect();
    assert!(used.len() > 8, "most definitions, deactivated ones too");

    let c = Api::start(cxone()).await;
    let states = c.sim.activity(&whole()).cxone_states;
    let agents = ids(&c.sim.directory("agents"), "agentId");
    let teams = ids(&c.sim.directory("teams"), "teamId");
    let skills = ids(&c.sim.directory("skills"), "skillId");
    for s in &states {
        assert!(agents.contains(&s.agent_id.to_string()), "{s:?}");
        assert!(teams.contains(&s.team_id.to_string()), "{s:?}");
        assert!(
            s.skill_id == 0 || skills.contains(&s.skill_id.to_string()),
            "{s:?}"
        );
    }
    assert!(states.iter().any(|s| s.skill_id != 0));
}

#[tokio::test]
async fn activity_is_seeded_and_sized_by_the_config() {
    let cfg = |n: usize| SimConfig {
        activity_periods_per_agent_day: n,
        ..SimConfig::default()
    };
    let (a, b) = (Api::start(cfg(6)).await, Api::start(cfg(6)).await);
    assert_eq!(a.sim.activity(&whole()), b.sim.activity(&whole()));
    let big = Api::start(cfg(60)).await;
    let n = big.sim.activity(&whole()).presence.len();
    // 240 users × 3 days × 60.
    assert!((38_000..48_000).contains(&n), "{n}");
}

#[tokio::test]
async fn faults_apply_to_the_activity_endpoints() {
    let body = json!({"interval": iso(&whole())});
    let forbidden = SimConfig {
        faults: Faults {
            forbidden: true,
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    let api = Api::start(forbidden).await;
    for path in ["query", "jobs"] {
        let (status, v) = api
            .call(Method::POST, &format!("{USERS}/{path}"), Some(&body))
            .await;
        assert_eq!(status, 403, "{v}");
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains("analytics:userDetail:view"));
    }
    let throttled = SimConfig {
        faults: Faults {
            throttle_every: Some(1),
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    let api = Api::start(throttled).await;
    let (status, v) = api
        .call(Method::POST, &format!("{USERS}/query"), Some(&body))
        .await;
    assert_eq!(
        (status, v["code"].as_str()),
        (429, Some("too.many.requests"))
    );
    let anonymous = Api {
        tok: "nope".into(),
        ..api
    };
    let (status, _) = anonymous
        .call(Method::POST, &format!("{USERS}/query"), Some(&body))
        .await;
    assert_eq!(status, 401);

    let range = "startDate=2026-11-20T00:00:00Z&endDate=2026-11-21T00:00:00Z";
    let api = Api::start(SimConfig {
        faults: Faults {
            forbidden: true,
            ..Faults::default()
        },
        ..cxone()
    })
    .await;
    assert_eq!(
        api.call(Method::GET, &api.state_history(range), None)
            .await
            .0,
        403
    );
    let api = Api::start(SimConfig {
        faults: Faults {
            rate_limit_per_minute: Some(1),
            ..Faults::default()
        },
        ..cxone()
    })
    .await;
    let url = api.state_history(range);
    assert_eq!(api.call(Method::GET, &url, None).await.0, 200);
    assert_eq!(api.call(Method::GET, &url, None).await.0, 429);
    let anonymous = Api {
        tok: "nope".into(),
        ..api
    };
    assert_eq!(anonymous.call(Method::GET, &url, None).await.0, 401);
}
