//! The Genesys directory the conversations resolve against: users, queues,
//! wrap-up codes, skills, divisions and presence definitions, with the
//! fields of `shared/vendor-apis/directory-and-activity.md` §1.
//!
//! Every id a conversation carries (`userId`, `queueId`, `wrapUpCode`,
//! `divisionIds[]`) comes from [`Pools`], so each one is listed here, some
//! only as inactive or deleted entries, as old conversations reference them
//! in a real org (§5.4). A few entries nobody references are added. Extra
//! ids come from their own RNG, so the conversations' bytes do not change.

use super::pools::{uuid, Pools};
use crate::simulator::core::json::fmt_date;
use crate::simulator::core::records::{agent_name, mix};
use fastrand::Rng;
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

/// One listed entity and whether it is soft-deleted: wrap-up codes and
/// divisions carry no `state` field, deleted ones are listed only by their
/// own endpoints (§1.3, §1.6).
pub(super) struct Entry {
    pub json: Value,
    pub deleted: bool,
}

pub(super) struct Directory {
    /// `state` active, inactive or deleted.
    pub users: Vec<Value>,
    pub queues: Vec<Value>,
    pub wrapups: Vec<Entry>,
    /// `state` active or inactive.
    pub skills: Vec<Value>,
    pub divisions: Vec<Entry>,
    /// `deactivated` true or false.
    pub presence: Vec<Value>,
}

/// Names of the referenced divisions, by pool index; the last one is
/// deleted (its conversations predate the deletion).
const DIVISIONS: &[&str] = &["North America", "EMEA", "Outsourced BPO"];
const WRAPUPS: &[&str] = &[
    "Resolved",
    "Escalated",
    "Callback Scheduled",
    "Sale Completed",
    "Legacy Promo 2024",
    "Billing Adjustment",
    "Technical Fix",
    "Transferred",
    "No Answer",
    "Wrong Number",
    "Complaint Logged",
    "Retired Survey Offer",
    "Account Updated",
    "Order Placed",
    "Refund Issued",
    "Information Given",
    "Old Fraud Check",
    "Follow-up Required",
];
/// Wrap-up codes (by pool index) deleted since conversations used them.
const DELETED_WRAPUPS: &[usize] = &[4, 11, 16];
const SKILLS: &[(&str, &str)] = &[
    ("English", "active"),
    ("Spanish", "active"),
    ("Billing", "active"),
    ("Technical", "active"),
    ("Sales", "active"),
    ("VIP", "active"),
    ("Fraud", "active"),
    ("French", "inactive"),
];
/// `systemPresence` values (§1.9) and the names orgs see.
const SYSTEM_PRESENCES: &[(&str, &str)] = &[
    ("Available", "Available"),
    ("Away", "Away"),
    ("Busy", "Busy"),
    ("Offline", "Offline"),
    ("Idle", "Idle"),
    ("On Queue", "OnQueue"),
    ("Meal", "Meal"),
    ("Training", "Training"),
    ("Meeting", "Meeting"),
    ("Break", "Break"),
];
/// Org-defined presences: name, system presence, deactivated.
const USER_PRESENCES: &[(&str, &str, bool)] = &[
    ("Lunch", "Meal", false),
    ("Coaching", "Training", false),
    ("Team Huddle", "Meeting", true),
    ("Project Work", "Busy", true),
];
/// Supervisors (managers of the agents); nobody's conversations name them.
const SUPERVISORS: usize = 6;

fn division_ref(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "selfUri": format!("/api/v2/authorization/divisions/{id}")})
}

/// ASCII local part of an email address from a display name.
fn mailbox(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            ' ' => Some('.'),
            'á' | 'à' => Some('a'),
            'é' | 'è' => Some('e'),
            'í' => Some('i'),
            'ó' => Some('o'),
            'ú' | 'ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Builds the directory for the conversations generated from `pools`;
/// dates fall before `start_ms`, the start of the simulated interval.
pub(super) fn build(pools: &Pools, seed: u64, start_ms: i64) -> Directory {
    let mut rng = Rng::with_seed(mix(seed, u64::MAX - 1));
    let created = |rng: &mut Rng| {
        let c = start_ms - rng.i64(30..720) * DAY_MS;
        (c, c + rng.i64(0..start_ms - c))
    };
    let home = uuid(&mut rng);
    let mut divisions: Vec<Entry> = pools
        .divisions
        .iter()
        .zip(DIVISIONS)
        .enumerate()
        .map(|(k, (id, name))| division(id, name, false, k + 1 == DIVISIONS.len()))
        .collect();
    divisions.push(division(&home, "Home", true, false));
    divisions.push(division(&uuid(&mut rng), "Legacy Acquisition", false, true));
    let live: Vec<Value> = divisions
        .iter()
        .filter(|d| !d.deleted)
        .map(|d| {
            division_ref(
                d.json["id"].as_str().unwrap_or(""),
                d.json["name"].as_str().unwrap_or(""),
            )
        })
        .collect();

    let users = users(pools, &mut rng, &live);
    let admin = users[0]["id"].clone();
    let stamp = |rng: &mut Rng, v: &mut Value| {
        let (c, m) = created(rng);
        v["dateCreated"] = fmt_date(c).into();
        v["dateModified"] = fmt_date(m).into();
        v["createdBy"] = admin.clone();
        v["modifiedBy"] = admin.clone();
    };

    let mut queues: Vec<(String, String)> = pools
        .queues
        .iter()
        .map(|(id, name)| (id.clone(), name.to_string()))
        .collect();
    for name in ["Overflow Test", "Spanish Billing", "Holiday Surge"] {
        queues.push((uuid(&mut rng), name.to_string()));
    }
    let queues = queues
        .into_iter()
        .enumerate()
        .map(|(k, (id, name))| {
            let members = rng.i64(3..40);
            let mut q = json!({
                "id": id,
                "name": name,
                "division": live[k % live.len()],
                "description": format!("{name} queue"),
                "memberCount": members,
                "userMemberCount": members,
                "joinedMemberCount": rng.i64(0..=members),
                "acwSettings": {"wrapupPrompt": "MANDATORY_TIMEOUT", "timeoutMs": 300_000},
                "skillEvaluationMethod": "BEST",
                "scoringMethod": "TimestampAndPriority",
                "lastAgentRoutingMode": "Disabled",
                "autoAnswerOnly": false,
                "enableTranscription": k % 3 == 0,
                "enableAudioMonitoring": false,
                "enableManualAssignment": false,
                "suppressInQueueCallRecording": false,
                "selfUri": format!("/api/v2/routing/queues/{id}"),
            });
            stamp(&mut rng, &mut q);
            q
        })
        .collect();

    let mut wrapups: Vec<(String, String, bool)> = pools
        .wrapups
        .iter()
        .zip(WRAPUPS)
        .enumerate()
        .map(|(k, (id, name))| (id.clone(), name.to_string(), DELETED_WRAPUPS.contains(&k)))
        .collect();
    for (name, deleted) in [
        ("Survey Accepted", false),
        ("Payment Plan", false),
        ("Do Not Call", false),
        ("Duplicate Contact", false),
        ("Pilot Program", true),
    ] {
        wrapups.push((uuid(&mut rng), name.to_string(), deleted));
    }
    let wrapups = wrapups
        .into_iter()
        .enumerate()
        .map(|(k, (id, name, deleted))| {
            let mut w = json!({
                "id": id,
                "name": name,
                "division": live[k % live.len()],
                "description": "",
                "selfUri": format!("/api/v2/routing/wrapupcodes/{id}"),
            });
            stamp(&mut rng, &mut w);
            Entry { json: w, deleted }
        })
        .collect();

    let skills = SKILLS
        .iter()
        .map(|&(name, state)| {
            let id = uuid(&mut rng);
            json!({
                "id": id,
                "name": name,
                "division": live[0],
                "dateModified": fmt_date(created(&mut rng).1),
                "state": state,
                // A string in the schema (§1.4), unlike the users' int.
                "version": rng.u32(1..9).to_string(),
                "selfUri": format!("/api/v2/routing/skills/{id}"),
            })
        })
        .collect();

    let presence = SYSTEM_PRESENCES
        .iter()
        .map(|&(name, system)| (name, system, "System", false))
        .chain(
            USER_PRESENCES
                .iter()
                .map(|&(name, system, off)| (name, system, "User", off)),
        )
        .map(|(name, system, kind, deactivated)| {
            let id = uuid(&mut rng);
            json!({
                "id": id,
                "name": name,
                "type": kind,
                "languageLabels": {"en_US": name},
                "systemPresence": system,
                "divisionId": home,
                "deactivated": deactivated,
                "selfUri": format!("/api/v2/presence/definitions/{id}"),
            })
        })
        .collect();

    Directory {
        users: sorted(users),
        queues: sorted(queues),
        wrapups: sorted_entries(wrapups),
        skills: sorted(skills),
        divisions: sorted_entries(divisions),
        presence,
    }
}

fn division(id: &str, name: &str, home: bool, deleted: bool) -> Entry {
    Entry {
        json: json!({
            "id": id,
            "name": name,
            "description": format!("{name} division"),
            "homeDivision": home,
            "selfUri": format!("/api/v2/authorization/divisions/{id}"),
        }),
        deleted,
    }
}

/// The pool's agents (every 20th inactive, every 40th deleted, as people
/// who left), then supervisors managing them, then a few former staff no
/// conversation names.
fn users(pools: &Pools, rng: &mut Rng, divisions: &[Value]) -> Vec<Value> {
    let n = pools.agents.len();
    let mut people: Vec<(String, String, &str, &str)> = (0..SUPERVISORS + 4)
        .map(|j| {
            let (first, last) = agent_name(n + j);
            let state = match j {
                j if j < SUPERVISORS => "active",
                j if j < SUPERVISORS + 2 => "inactive",
                _ => "deleted",
            };
            let title = if j < SUPERVISORS {
                "Team Lead"
            } else {
                "Contact Center Agent"
            };
            (uuid(rng), format!("{first} {last}"), state, title)
        })
        .collect();
    let supervisors: Vec<String> = people[..SUPERVISORS].iter().map(|p| p.0.clone()).collect();
    for (k, a) in pools.agents.iter().enumerate() {
        let state = match k {
            k if k % 20 == 3 => "inactive",
            k if k % 40 == 11 => "deleted",
            _ => "active",
        };
        people.push((a.id.clone(), a.name.clone(), state, "Contact Center Agent"));
    }
    people
        .into_iter()
        .enumerate()
        .map(|(k, (id, name, state, title))| {
            let email = format!("{}@example-corp.com", mailbox(&name));
            let phone = format!("+1317555{:04}", rng.u32(0..10_000));
            let mut u = json!({
                "id": id,
                "name": name,
                "division": divisions[k % divisions.len()],
                "chat": {"jabberId": format!("{:024x}@example-corp.orgspan.com", rng.u128(..) >> 32)},
                "department": "Customer Care",
                "email": email,
                "primaryContactInfo": [{"address": email, "mediaType": "EMAIL", "type": "PRIMARY"}],
                "addresses": [{"display": phone, "address": phone, "mediaType": "PHONE", "type": "WORK"}],
                "state": state,
                "title": title,
                "username": email,
                "images": [],
                "version": rng.u32(1..30),
                "acdAutoAnswer": false,
                "selfUri": format!("/api/v2/users/{id}"),
            });
            if title != "Team Lead" {
                let m = &supervisors[k % SUPERVISORS];
                u["manager"] = json!({"id": m, "selfUri": format!("/api/v2/users/{m}")});
            }
            u
        })
        .collect()
}

/// Listings are sorted by name, the documented default for queues and
/// wrap-up codes (§1.2, §1.3); the simulator uses it everywhere.
fn sorted(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    v
}

fn sorted_entries(mut v: Vec<Entry>) -> Vec<Entry> {
    v.sort_by(|a, b| a.json["name"].as_str().cmp(&b.json["name"].as_str()));
    v
}
