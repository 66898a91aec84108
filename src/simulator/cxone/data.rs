//! Deterministic NICE CXone completed contacts (`completedContacts[]` items
//! of `GET .../contacts/completed`, v34 names per `shared/vendor-apis/cxone.md`
//! §3), serialized once into bytes by the shared generator.
//!
//! Every Nth record uses the legacy spellings and string-typed numbers and
//! booleans older API versions send; their durations are whole seconds so a
//! lenient parser lands them on exactly the same values as modern records.

use super::pools::{
    campaign, Pools, CHAT, DIGITAL, EMAIL, OUTBOUND, PHONE, PRIMARY_DISPOSITIONS,
    SECONDARY_DISPOSITIONS, SMS, SOCIAL, VOICEMAIL, WORK_ITEM,
};
use crate::simulator::core::json::W;
use crate::simulator::core::records::{self, exp_ms, mix, Layout, Record, Slot, Written};
use fastrand::Rng;

/// `contactId` of record 0: beyond 2^32, so an i32 (or u32) parser breaks.
const FIRST_CONTACT_ID: i64 = 5_000_000_000;
/// The business unit every page names.
pub(super) const BUSINESS_UNIT_ID: i64 = 4_600_001;
/// Gap between consecutive contact ids; ids grow with start time, so the
/// order "start, then contactId" is simply storage order.
const ID_STRIDE: i64 = 8;

/// The four malformed shapes a run must quarantine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BadKind {
    MissingId,
    StartNotADate,
    DurationObject,
    IdNotNumeric,
}

impl BadKind {
    fn nth(j: usize) -> BadKind {
        match j % 4 {
            0 => BadKind::MissingId,
            1 => BadKind::StartNotADate,
            2 => BadKind::DurationObject,
            _ => BadKind::IdNotNumeric,
        }
    }
}

/// The `contactId` of record `i` (good or bad), computable without
/// generating it: transfers point their `masterContactId` at the previous
/// leg.
fn contact_id(seed: u64, i: usize) -> i64 {
    FIRST_CONTACT_ID
        + i as i64 * ID_STRIDE
        + (mix(seed ^ 0x00C0_FFEE, i as u64) % ID_STRIDE as u64) as i64
}

/// Builds `contacts` good records plus `bad_records` malformed ones, with
/// starts spread evenly (with jitter) over `[start_ms, end_ms)`. Every
/// `legacy_every`-th record (1-based) uses legacy spellings.
pub(super) fn generate(
    pools: &Pools,
    seed: u64,
    contacts: usize,
    bad_records: usize,
    legacy_every: Option<u32>,
    start_ms: i64,
    end_ms: i64,
) -> Vec<Record> {
    let layout = Layout {
        seed: seed ^ 0xC0DE,
        good: contacts,
        bad: bad_records,
        start_ms,
        end_ms,
        chunk: 4096,
        record_bytes: 1700,
    };
    let (records, _) = records::generate(&layout, |w, rng, slot: &Slot| {
        let i = slot.index;
        let bad = slot.bad.map(BadKind::nth);
        // Bad records keep the modern shape: one defect each.
        let legacy =
            bad.is_none() && legacy_every.is_some_and(|k| k > 0 && (i + 1) % k as usize == 0);
        let c = Contact {
            seed,
            index: i,
            start: slot.start_ms,
            bad,
            legacy,
        };
        let (id, dur) = write_contact(w, pools, rng, &c);
        Written {
            id,
            // Completed contacts have all ended; the ground truth's
            // duration is end - start.
            end_ms: Some(slot.start_ms + dur),
            extra: (),
        }
    });
    records
}

const TRANSFER: &[(i64, &str)] = &[(1, "ReSkill"), (2, "ReAgent"), (3, "Consult")];
const TAGS: &[(i64, &str)] = &[
    (900_011, "VIP"),
    (900_012, "Complaint"),
    (900_013, "Escalated"),
    (900_014, "Callback Requested"),
];

fn phone(rng: &mut Rng) -> String {
    format!(
        "{}{:03}{:04}",
        rng.u32(201..990),
        rng.u32(200..1000),
        rng.u32(0..10_000)
    )
}

struct Contact {
    seed: u64,
    index: usize,
    start: i64,
    bad: Option<BadKind>,
    legacy: bool,
}

/// Whole seconds in legacy records (integers in v21), ms otherwise.
fn grain(ms: i64, legacy: bool) -> i64 {
    if legacy {
        (ms + 500) / 1000 * 1000
    } else {
        ms
    }
}

/// Writes one contact; returns its id as served (decimal text) and the
/// duration the ground truth counts (`round(totalDurationSeconds × 1000)`).
fn write_contact(w: &mut W, p: &Pools, rng: &mut Rng, c: &Contact) -> (Option<String>, i64) {
    let legacy = c.legacy;
    let bad = c.bad;
    let id = contact_id(c.seed, c.index);
    let roll = rng.u32(0..100);
    let media = match roll {
        0..=57 => &PHONE,
        58..=69 => &OUTBOUND,
        70..=79 => &CHAT,
        80..=85 => &EMAIL,
        86..=89 => &SMS,
        90..=93 => &DIGITAL,
        94..=95 => &VOICEMAIL,
        96..=97 => &WORK_ITEM,
        _ => &SOCIAL,
    };
    let outbound = std::ptr::eq(media, &OUTBOUND);
    let voice = media.id == 4;
    let realtime = matches!(media.id, 3 | 4 | 9);
    let skill = media.skills[rng.usize(..media.skills.len())];
    // Abandons: inbound real-time contacts only; some never left the IVR.
    let abandoned = !outbound && realtime && rng.u32(0..100) < 8;
    let ivr_only = abandoned && voice && rng.u32(0..3) == 0;
    let transferred = voice && !abandoned && c.index > 0 && rng.u32(0..100) < 6;
    let g = |ms: i64| grain(ms, legacy);
    let pre = g(match (voice, outbound) {
        (true, false) => exp_ms(rng, 25_000.0, 2_000, 180_000),
        _ if realtime => rng.i64(0..3_000),
        _ => 0,
    });
    let in_queue = g(if outbound || ivr_only {
        0
    } else if abandoned {
        exp_ms(rng, 30_000.0, 300, 600_000)
    } else {
        match media.id {
            1 | 6 => exp_ms(rng, 1_200_000.0, 5_000, 14_400_000),
            5 => exp_ms(rng, 600_000.0, 5_000, 7_200_000),
            _ => exp_ms(rng, 45_000.0, 0, 900_000),
        }
    });
    let agent = g(if abandoned {
        0
    } else {
        match media.id {
            3 | 9 => exp_ms(rng, 600_000.0, 20_000, 5_400_000),
            1 | 6 | 8 => exp_ms(rng, 300_000.0, 15_000, 3_600_000),
            5 => exp_ms(rng, 90_000.0, 10_000, 900_000),
            _ => exp_ms(rng, 240_000.0, 10_000, 3_600_000),
        }
    });
    let (hold, hold_count) = if voice && !abandoned && rng.u32(0..5) == 0 {
        (
            g(exp_ms(rng, 45_000.0, 3_000, agent * 6 / 10)),
            rng.i64(1..4),
        )
    } else {
        (0, 0)
    };
    let conference = if voice && !abandoned && rng.u32(0..100) < 3 {
        g(exp_ms(rng, 60_000.0, 5_000, agent / 2))
    } else {
        0
    };
    let acw = if abandoned {
        0
    } else {
        g(exp_ms(rng, 35_000.0, 0, 600_000))
    };
    let release = if abandoned { 0 } else { g(rng.i64(0..2_500)) };
    let total = pre + in_queue + agent + release;
    let a = &p.agents[rng.usize(..p.agents.len())];
    let team = p.teams[a.team];
    let campaign = campaign(skill.1, outbound);
    let customer = match media.id {
        1 => format!("customer{}@example.net", rng.u32(1000..99_999)),
        3 | 9 => format!("Visitor {}", rng.u32(1000..99_999)),
        8 => format!("@user{}", rng.u32(1000..99_999)),
        6 => format!("WI-{:07}", rng.u32(0..10_000_000)),
        _ => phone(rng),
    };
    let (from, to) = if outbound {
        (media.poc.2.to_string(), customer)
    } else {
        (customer, media.poc.2.to_string())
    };
    let short_abandon = abandoned && in_queue + pre < 5_000;
    let refused = !abandoned && rng.u32(0..100) < 2;
    let takeover = !abandoned && rng.u32(0..200) == 0;
    let analytics = voice && !abandoned && rng.u32(0..10) < 3;
    let acw_pending = !abandoned && rng.u32(0..100) < 3;
    let end = c.start + total;
    let warehoused = end + 300_000 + rng.i64(0..120_000);
    let acw_warehoused = (!acw_pending).then(|| end + acw + 600_000 + rng.i64(0..120_000));
    let analytics_at = analytics.then(|| end + 2_700_000 + rng.i64(0..600_000));
    let last_update = [Some(warehoused), acw_warehoused, analytics_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(warehoused);
    let sl_target = 30_000;

    w.obj();
    match bad {
        Some(BadKind::MissingId) => {}
        Some(BadKind::IdNotNumeric) => w.ks("contactId", &format!("C-{id}")),
        _ => w.ki("contactId", id),
    }
    let master = if transferred {
        contact_id(c.seed, c.index - 1)
    } else {
        id
    };
    w.ki("masterContactId", master);
    let start_key = if legacy {
        "contactStart"
    } else {
        "contactStartDate"
    };
    if bad == Some(BadKind::StartNotADate) {
        w.ks(start_key, "not-a-date");
    } else {
        w.kd(start_key, c.start);
    }
    if abandoned {
        // "0 or null when no agent": both occur.
        if c.index % 2 == 0 {
            w.ki("agentId", 0);
        } else {
            w.kn("agentId");
        }
        w.ks("firstName", "");
        w.ks("lastName", "");
    } else {
        w.ki("agentId", a.id);
        w.ks("firstName", a.first);
        w.ks("lastName", a.last);
    }
    w.ki("teamId", if abandoned { 0 } else { team.0 });
    w.ks("teamName", if abandoned { "" } else { team.1 });
    if ivr_only {
        w.ki("skillId", 0);
        w.ks("skillName", "");
    } else {
        w.ki("skillId", skill.0);
        w.ks("skillName", skill.1);
    }
    w.ki("campaignId", campaign.0);
    w.ks("campaignName", campaign.1);
    w.ki(if legacy { "mediaType" } else { "mediaTypeId" }, media.id);
    w.ks("mediaTypeName", media.name);
    if !legacy {
        if media.id == 9 {
            let (sid, sname) = if rng.bool() {
                (14, "WhatsApp")
            } else {
                (12, "Facebook Messenger")
            };
            w.ki("mediaSubTypeId", sid);
            w.ks("mediaSubTypeName", sname);
        } else if rng.u32(0..4) > 0 {
            w.kn("mediaSubTypeId");
            w.kn("mediaSubTypeName");
        }
    }
    w.ki("pointOfContactId", media.poc.0);
    w.ks("pointOfContactName", media.poc.1);
    w.ks(if legacy { "fromAddr" } else { "fromAddress" }, &from);
    w.ks(if legacy { "toAddr" } else { "toAddress" }, &to);
    let flag = |w: &mut W, k: &str, v: bool| {
        if legacy {
            w.ks(k, if v { "True" } else { "False" });
        } else {
            w.kb(k, v);
        }
    };
    flag(w, "isOutbound", outbound);
    w.kb("isRefused", refused);
    w.kb("isShortAbandon", short_abandon);
    w.kb("isTakeover", takeover);
    w.kb("isLogged", true);
    w.kb("isAnalyticsProcessed", analytics);
    flag(w, "abandoned", abandoned);
    let secs = |w: &mut W, k: &str, ms: i64| {
        if legacy {
            w.ki(k, ms / 1000);
        } else {
            w.ksecs(k, ms);
        }
    };
    secs(
        w,
        "abandonSeconds",
        if abandoned { pre + in_queue } else { 0 },
    );
    if legacy {
        w.ks("ACWSeconds", &(acw / 1000).to_string());
    } else {
        w.ksecs("acwSeconds", acw);
    }
    secs(w, "agentSeconds", agent);
    secs(w, "holdSeconds", hold);
    secs(w, "inQueueSeconds", in_queue);
    secs(w, "preQueueSeconds", pre);
    secs(w, "postQueueSeconds", agent);
    secs(w, "releaseSeconds", release);
    match bad {
        Some(BadKind::DurationObject) => {
            w.key("totalDurationSeconds");
            w.obj();
            w.ksecs("value", total);
            w.ks("unit", "s");
            w.end_obj();
        }
        _ if legacy => w.ks("totalDurationSeconds", &(total / 1000).to_string()),
        _ => w.ksecs("totalDurationSeconds", total),
    }
    if legacy {
        w.ki("confSeconds", conference / 1000);
    } else {
        w.ksecs("conferenceSeconds", conference);
    }
    w.ki("holdCount", hold_count);
    w.ki("callbackTime", 0);
    w.ki(
        "routingTime",
        if in_queue > 0 && !abandoned {
            rng.i64(150..3_000)
        } else {
            0
        },
    );
    if refused {
        w.ks(
            "refuseReason",
            if rng.bool() {
                "Agent Refused"
            } else {
                "Timeout"
            },
        );
        w.kd("refuseTime", c.start + pre + in_queue / 2);
    } else {
        // Legacy mocks send empty strings rather than nulls.
        w.ks("refuseReason", "");
        w.ks("refuseTime", "");
    }
    let sl = i64::from(!abandoned && in_queue <= sl_target);
    if legacy {
        w.ks("serviceLevelFlag", &sl.to_string());
    } else {
        w.ki("serviceLevelFlag", sl);
    }
    if transferred {
        let t = TRANSFER[rng.usize(..TRANSFER.len())];
        w.ki("transferIndicatorId", t.0);
        w.ks("transferIndicatorName", t.1);
    } else {
        w.ki("transferIndicatorId", 0);
        w.ks("transferIndicatorName", "None");
    }
    if abandoned || acw_pending {
        w.ki("primaryDispositionId", 0);
        w.ki("secondaryDispositionId", 0);
        w.ks("dispositionNotes", "");
    } else {
        w.ki("primaryDispositionId", rng.i64(PRIMARY_DISPOSITIONS));
        w.ki(
            "secondaryDispositionId",
            if rng.u32(0..4) == 0 {
                rng.i64(SECONDARY_DISPOSITIONS)
            } else {
                0
            },
        );
        w.ks(
            "dispositionNotes",
            if rng.u32(0..5) == 0 {
                "Customer asked for a \"call back\" tomorrow; see CRM\\notes"
            } else {
                ""
            },
        );
    }
    if !legacy {
        w.ks(
            "endReason",
            match (abandoned, outbound) {
                (true, _) => "Contact Abandoned",
                (_, true) => "Agent Disconnected",
                _ if rng.bool() => "Contact Hung Up",
                _ => "Agent Hung Up",
            },
        );
    }
    w.kd("dateContactWarehoused", warehoused);
    match acw_warehoused {
        Some(t) => w.kd("dateACWWarehoused", t),
        None => w.kn("dateACWWarehoused"),
    }
    w.kd("lastUpdateTime", last_update);
    match analytics_at {
        Some(t) => w.kd("analyticsProcessedDate", t),
        None => w.kn("analyticsProcessedDate"),
    }
    if legacy {
        // Older payloads carried the state too (not in the v34 schema).
        w.ks("state", "EndContact");
        w.ki("stateId", 18);
    } else {
        w.ki("routingAttribute", rng.i64(0..3));
        w.ki("highProficiency", 1);
        w.ki("lowProficiency", 20);
        w.ki("divisionNo", 0);
    }
    if c.index % 97 == 13 {
        // A field this client has never heard of.
        w.key("newVendorField");
        w.obj();
        w.ks("sentiment", "positive");
        w.ksecs("score", rng.i64(0..1000));
        w.end_obj();
    }
    w.key("tags");
    w.arr();
    if rng.u32(0..10) == 0 {
        for _ in 0..rng.usize(1..3) {
            let t = TAGS[rng.usize(..TAGS.len())];
            w.obj();
            if !legacy {
                w.ki("contactId", id);
            }
            w.ki("tagId", t.0);
            w.ks("tagName", t.1);
            w.end_obj();
        }
    }
    w.end_arr();
    w.end_obj();
    let served_id = match bad {
        Some(BadKind::MissingId) => None,
        Some(BadKind::IdNotNumeric) => Some(format!("C-{id}")),
        _ => Some(id.to_string()),
    };
    (served_id, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const START: i64 = 1_795_132_800_000; // 2026-11-20T00:00:00Z
    const DAY: i64 = 86_400_000;

    fn lenient_f64(v: &Value) -> Option<f64> {
        v.as_f64().or_else(|| v.as_str()?.parse().ok())
    }

    #[test]
    fn records_are_valid_json_sorted_deterministic_and_lenient_parsable() {
        let a = generate(&Pools::new(7), 7, 700, 8, Some(7), START, START + 2 * DAY);
        let b = generate(&Pools::new(7), 7, 700, 8, Some(7), START, START + 2 * DAY);
        assert_eq!(a.len(), 708);
        let mut kinds = [0usize; 4];
        let mut legacy = 0;
        let mut prev_id = 0i64;
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.json, y.json);
            let v: Value = serde_json::from_slice(&x.json).unwrap();
            if x.bad {
                if v.get("contactId").is_none() {
                    kinds[0] += 1;
                } else if v["contactStartDate"] == "not-a-date" {
                    kinds[1] += 1;
                } else if v["totalDurationSeconds"].is_object() {
                    kinds[2] += 1;
                } else {
                    assert!(v["contactId"].as_str().unwrap().starts_with("C-"));
                    kinds[3] += 1;
                }
                continue;
            }
            let id = v["contactId"].as_i64().unwrap();
            assert!(id > i64::from(u32::MAX) && id > prev_id);
            prev_id = id;
            assert_eq!(x.id.as_deref(), Some(id.to_string().as_str()));
            let start = v
                .get("contactStartDate")
                .or_else(|| v.get("contactStart"))
                .and_then(Value::as_str)
                .unwrap();
            let start = chrono::DateTime::parse_from_rfc3339(start).unwrap();
            assert_eq!(start.timestamp_millis(), x.start_ms);
            let total = lenient_f64(&v["totalDurationSeconds"]).unwrap();
            assert_eq!(
                (total * 1000.0).round() as i64,
                x.end_ms.unwrap() - x.start_ms
            );
            if v.get("contactStart").is_some() {
                legacy += 1;
                assert!(v.get("fromAddr").is_some() && v.get("mediaType").is_some());
                assert!(v["ACWSeconds"].is_string() && v["isOutbound"].is_string());
                assert!(v["totalDurationSeconds"].is_string());
            } else {
                assert!(v["totalDurationSeconds"].is_f64());
                assert!(v["mediaTypeId"].is_i64() && v["isOutbound"].is_boolean());
            }
        }
        assert_eq!(kinds, [2, 2, 2, 2]);
        assert!((90..=110).contains(&legacy), "legacy records: {legacy}");
        assert!(a.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
    }

    #[test]
    fn default_data_has_the_awkward_cases_clients_must_handle() {
        let d = generate(
            &Pools::new(42),
            42,
            3_000,
            0,
            Some(7),
            START,
            START + 3 * DAY,
        );
        let all: String = d
            .iter()
            .map(|r| std::str::from_utf8(&r.json).unwrap())
            .collect();
        for needle in [
            "\"agentId\":null",
            "\"agentId\":0",
            "\"mediaSubTypeId\":null",
            "\"mediaSubTypeName\":\"WhatsApp\"",
            "\"refuseTime\":\"\"",
            "\"isOutbound\":\"True\"",
            "\"abandoned\":true",
            "\"newVendorField\"",
            "\"tagName\":",
            "\"tags\":[]",
            "\"dateACWWarehoused\":null",
            "\"transferIndicatorName\":\"Re",
        ] {
            assert!(all.contains(needle), "{needle}");
        }
        for m in [
            "Email",
            "Chat",
            "Phone Call",
            "Voice Mail",
            "Work Item",
            "SMS",
            "Social",
            "Digital",
        ] {
            assert!(all.contains(&format!("\"mediaTypeName\":\"{m}\"")), "{m}");
        }
        let avg = d.iter().map(|r| r.json.len()).sum::<usize>() / d.len();
        assert!((1000..2500).contains(&avg), "average record size {avg}");
    }
}
