//! The CXone admin directory the contacts resolve against: agents, teams,
//! skills and dispositions, with the v34 field names of
//! `shared/vendor-apis/directory-and-activity.md` §4.1–4.4.
//!
//! Every `agentId`, `teamId`, `skillId` and `primary`/`secondaryDispositionId`
//! a contact carries comes from [`Pools`], so each one is listed here, some
//! only as inactive entries (agents who left, a retired skill); a few
//! entries nobody references are added. Extra ids come from their own RNG,
//! so the contacts' bytes do not change.

use super::pools::{
    campaign, Pools, MEDIA, OUTBOUND, PRIMARY_DISPOSITIONS, SECONDARY_DISPOSITIONS,
};
use crate::simulator::core::json::fmt_date;
use crate::simulator::core::random_uuid;
use crate::simulator::core::records::{agent_name, mix};
use fastrand::Rng;
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

/// Each list holds active and inactive entries (`isActive`).
pub(super) struct Directory {
    pub agents: Vec<Value>,
    pub teams: Vec<Value>,
    pub skills: Vec<Value>,
    pub dispositions: Vec<Value>,
}

/// Referenced team (by pool index) since deactivated.
const INACTIVE_TEAM: usize = 7;
/// Referenced skill since retired.
const INACTIVE_SKILL: i64 = 11_000_152;
/// Referenced dispositions since retired.
const INACTIVE_DISPOSITIONS: &[i64] = &[700_109, 700_204];
const PRIMARY_NAMES: &[&str] = &[
    "Resolved",
    "Escalated",
    "Callback Scheduled",
    "Sale",
    "No Sale",
    "Billing Adjustment",
    "Technical Fix",
    "Transferred",
    "Information Only",
    "Legacy Promo",
    "Complaint",
    "Account Updated",
];
const SECONDARY_NAMES: &[&str] = &[
    "Upsell Offered",
    "Survey Offered",
    "Follow-up Email",
    "Fraud Check",
    "Retired Retention Offer",
    "Manager Review",
];
/// Supervisors (`reportToId` of the agents) and former staff: listed,
/// never on a contact.
const EXTRA_AGENTS: usize = 4;

/// Builds the directory for the contacts generated from `pools`; dates fall
/// before `start_ms`. Every `legacy_every`-th agent spells its GUID `userId`
/// and every such disposition sends `classificationId` as a string, the
/// spellings and types older versions use (§4.1, §4.4).
pub(super) fn build(
    pools: &Pools,
    seed: u64,
    start_ms: i64,
    legacy_every: Option<u32>,
) -> Directory {
    let mut rng = Rng::with_seed(mix(seed ^ 0xC0DE, u64::MAX - 1));
    let legacy = |k: usize| legacy_every.is_some_and(|n| n > 0 && (k + 1) % n as usize == 0);
    let before = |rng: &mut Rng, days: i64| fmt_date(start_ms - rng.i64(1..days) * DAY_MS);

    let mut teams: Vec<(i64, &str, bool)> = pools
        .teams
        .iter()
        .enumerate()
        .map(|(k, &(id, name))| (id, name, k != INACTIVE_TEAM))
        .collect();
    let n = teams.len() as i64;
    for (k, (name, active)) in [("Escalations", true), ("Pilot Team", false)]
        .into_iter()
        .enumerate()
    {
        teams.push((2_200_100 + (n + k as i64) * 7 + rng.i64(0..7), name, active));
    }
    let team_uuids: Vec<String> = teams.iter().map(|_| random_uuid(&mut rng)).collect();

    let mut people: Vec<(i64, usize, bool)> = pools
        .agents
        .iter()
        .enumerate()
        .map(|(k, a)| (a.id, a.team, k % 15 != 4))
        .collect();
    let first_extra = people.len();
    for j in 0..EXTRA_AGENTS {
        let k = (first_extra + j) as i64;
        people.push((4_100_000 + k * 13 + rng.i64(0..13), j % teams.len(), j < 2));
    }
    let supervisors = [people[first_extra].0, people[first_extra + 1].0];
    let agents = people
        .iter()
        .enumerate()
        .map(|(k, &(id, team, active))| {
            let (first, last) = agent_name(k);
            let supervisor = supervisors.contains(&id);
            let boss = supervisors[k % 2];
            let (bf, bl) = agent_name(first_extra + k % 2);
            let user_key = if legacy(k) { "userId" } else { "userID" };
            let mut a = json!({
                "agentId": id,
                user_key: random_uuid(&mut rng),
                "userName": format!("agent{id}@example.com"),
                "firstName": first,
                "middleName": "",
                "lastName": last,
                "emailAddress": format!("agent{id}@example.com"),
                "isActive": active,
                "teamId": teams[team].0,
                "teamName": teams[team].1,
                // `teamUuId` here, `teamUuid` on teams (§4.1, §4.2).
                "teamUuId": team_uuids[team],
                "reportToId": if supervisor { 0 } else { boss },
                "reportToName": if supervisor { String::new() } else { format!("{bf} {bl}") },
                "isSupervisor": supervisor,
                "lastLogin": before(&mut rng, 30),
                "lastUpdated": before(&mut rng, 90),
                "createDate": before(&mut rng, 900),
                "inactiveDate": Value::Null,
                "hireDate": before(&mut rng, 900),
                "terminationDate": Value::Null,
                "profileId": if supervisor { 2 } else { 1 },
                "profileName": if supervisor { "Supervisor" } else { "Agent" },
                "timeZone": "Eastern Standard Time",
                "country": "US",
                "state": "IN",
                "city": "Indianapolis",
                "internalId": format!("E{:05}", k + 1),
                "employmentType": 1,
                "employmentTypeName": "Full-Time",
                "hourlyCost": 18.5,
                "atHome": k % 3 == 0,
                "rehireStatus": true,
                "locked": false,
                "userType": "Agent",
                "DivisionNo": 0,
            });
            if !active {
                let left = before(&mut rng, 60);
                a["inactiveDate"] = left.clone().into();
                a["terminationDate"] = left.into();
            }
            a
        })
        .collect();

    let teams = teams
        .iter()
        .enumerate()
        .map(|(k, &(id, name, active))| {
            let members = people.iter().filter(|p| p.1 == k).count();
            json!({
                "teamId": id,
                "teamName": name,
                "teamUuid": team_uuids[k],
                "isActive": active,
                "lastUpdateTime": before(&mut rng, 180),
                "agentCount": members,
                "teamLeadId": supervisors[k % 2].to_string(),
                "divisionNo": 0,
                "notes": "",
                "maxConcurrentChats": 3,
            })
        })
        .collect();

    let dispositions: Vec<(i64, &str)> = PRIMARY_DISPOSITIONS
        .zip(PRIMARY_NAMES.iter().copied())
        .chain(SECONDARY_DISPOSITIONS.zip(SECONDARY_NAMES.iter().copied()))
        .chain([
            (PRIMARY_DISPOSITIONS.end, "Survey Complete"),
            (SECONDARY_DISPOSITIONS.end, "Old Promo"),
        ])
        .collect();
    let retired = |id: i64| INACTIVE_DISPOSITIONS.contains(&id) || id == SECONDARY_DISPOSITIONS.end;

    let mut skills: Vec<(i64, &str, &super::pools::Media, bool)> = MEDIA
        .iter()
        .flat_map(|&m| {
            m.skills
                .iter()
                .map(move |&(id, name)| (id, name, m, id != INACTIVE_SKILL))
        })
        .collect();
    skills.push((11_000_108, "Claims Spanish", MEDIA[0], true));
    skills.push((11_000_303, "Chat Pilot", MEDIA[2], false));
    let skills = skills
        .into_iter()
        .map(|(id, name, media, active)| {
            let outbound = std::ptr::eq(media, &OUTBOUND);
            let (campaign_id, campaign_name) = campaign(name, outbound);
            let attached: Vec<Value> = dispositions
                .iter()
                .filter(|d| PRIMARY_DISPOSITIONS.contains(&d.0))
                .take(4)
                .enumerate()
                .map(|(p, d)| {
                    json!({"dispositionId": d.0, "dispositionName": d.1, "priority": p + 1, "isPreviewDisposition": false})
                })
                .collect();
            json!({
                "skillId": id,
                "skillName": name,
                "mediaTypeId": media.id,
                "mediaTypeName": media.name,
                "isActive": active,
                "campaignId": campaign_id,
                "campaignName": campaign_name,
                "notes": "",
                "acwTypeId": 1,
                "maxSecondsACW": 120,
                "requireDisposition": media.id == 4,
                "allowSecondaryDisposition": media.id == 4,
                "isOutbound": outbound,
                "outboundStrategy": if outbound { "Personal Connection" } else { "" },
                "isRunning": active,
                "serviceLevelThreshold": 30,
                "serviceLevelGoal": 80,
                "enableShortAbandon": true,
                "shortAbandonThreshold": 5,
                "dispositions": attached,
            })
        })
        .collect();

    let dispositions = dispositions
        .iter()
        .enumerate()
        .map(|(k, &(id, name))| {
            let class = 1 + (id % 5);
            json!({
                "dispositionId": id,
                "dispositionName": name,
                // v9 typed it a string, v34 an integer (§4.4).
                "classificationId": if legacy(k) { Value::from(class.to_string()) } else { class.into() },
                "isActive": !retired(id),
                "isPreviewDisposition": false,
                "lastUpdated": before(&mut rng, 365),
                "notes": "",
                "systemOutcome": if name == "Sale" { "Positive" } else { "Neutral" },
            })
        })
        .collect();

    Directory {
        agents,
        teams,
        skills,
        dispositions,
    }
}
