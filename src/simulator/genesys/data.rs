//! Deterministic Genesys conversation records, serialized once into bytes
//! (the shape of `shared/vendor-apis/genesys.md` §4).

use super::pools::{uuid, Agent, Pools};
use crate::simulator::core::json::W;
use crate::simulator::core::records::{self, exp_ms, Layout, Record, Slot, Written};
use fastrand::Rng;

/// All conversations sorted by start, plus what the two endpoint families
/// need beyond the bytes.
pub(super) struct Conversations {
    pub records: Vec<Record>,
    /// Per record: byte ranges of `,"attributes":{...}` that the query
    /// variant leaves out (it has no participant attributes).
    attr_skips: Vec<Box<[(u32, u32)]>>,
    /// Longest finished conversation: bounds how far back an overlap search
    /// has to look.
    pub max_duration_ms: i64,
    /// Indexes of ongoing records (they overlap every later interval).
    pub ongoing: Vec<u32>,
}

impl Conversations {
    /// Appends record `i` in the query variant (no participant `attributes`).
    pub fn push_without_attributes(&self, i: usize, out: &mut Vec<u8>) {
        let json = &self.records[i].json;
        let mut pos = 0usize;
        for &(a, z) in self.attr_skips[i].iter() {
            out.extend_from_slice(&json[pos..a as usize]);
            pos = z as usize;
        }
        out.extend_from_slice(&json[pos..]);
    }
}

/// The four malformed shapes a run must quarantine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BadKind {
    MissingId,
    StartNotADate,
    ParticipantsString,
    SegmentStartNumber,
}

impl BadKind {
    fn nth(j: usize) -> BadKind {
        match j % 4 {
            0 => BadKind::MissingId,
            1 => BadKind::StartNotADate,
            2 => BadKind::ParticipantsString,
            _ => BadKind::SegmentStartNumber,
        }
    }
}

/// Builds `conversations` good records plus `bad_records` malformed ones,
/// with starts spread evenly (with jitter) over `[start_ms, end_ms)`.
pub(super) fn generate(
    pools: &Pools,
    seed: u64,
    conversations: usize,
    bad_records: usize,
    start_ms: i64,
    end_ms: i64,
) -> Conversations {
    let layout = Layout {
        seed,
        good: conversations,
        bad: bad_records,
        start_ms,
        end_ms,
        chunk: 2048,
        record_bytes: 4800,
    };
    let (records, attr_skips) = records::generate(&layout, |w, rng, slot: &Slot| {
        let from = w.b.len();
        let mut skips = Vec::new();
        let bad = slot.bad.map(BadKind::nth);
        let (id, end_ms) =
            write_conversation(w, pools, rng, slot.index, slot.start_ms, bad, &mut skips);
        let extra: Box<[(u32, u32)]> = skips
            .iter()
            .map(|&(a, z)| ((a - from) as u32, (z - from) as u32))
            .collect();
        Written { id, end_ms, extra }
    });
    let mut max_duration_ms = 0;
    let mut ongoing = Vec::new();
    for (i, r) in records.iter().enumerate() {
        match r.end_ms {
            Some(e) => max_duration_ms = max_duration_ms.max(e - r.start_ms),
            None => ongoing.push(i as u32),
        }
    }
    Conversations {
        records,
        attr_skips,
        max_duration_ms,
        ongoing,
    }
}

const INTENTS: &[&str] = &[
    "billing",
    "new_order",
    "cancel",
    "tech_issue",
    "address_change",
    "claim_status",
];
const TIERS: &[&str] = &["Gold", "Silver", "Bronze", "Platinum"];

// ---------------------------------------------------------------------------
// One conversation.

fn phone(rng: &mut Rng) -> String {
    format!(
        "tel:+1{}{:03}{:04}",
        rng.u32(201..990),
        rng.u32(200..1000),
        rng.u32(0..10_000)
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    Voice,
    Chat,
    Message,
    Email,
    Callback,
}

impl Media {
    fn name(self) -> &'static str {
        match self {
            Media::Voice => "voice",
            Media::Chat => "chat",
            Media::Message => "message",
            Media::Email => "email",
            Media::Callback => "callback",
        }
    }
}

struct Seg<'a> {
    kind: &'a str,
    start: i64,
    end: Option<i64>,
    disconnect: Option<&'a str>,
    queue: Option<&'a str>,
    wrapup: Option<&'a str>,
}

fn seg(kind: &str, start: i64, end: Option<i64>) -> Seg<'_> {
    Seg {
        kind,
        start,
        end,
        disconnect: None,
        queue: None,
        wrapup: None,
    }
}

/// Session fields shared by every participant of the conversation.
struct Common<'a> {
    media: &'a str,
    direction: &'a str,
    ani: &'a str,
    dnis: &'a str,
    edge: Option<&'a str>,
    provider: &'a str,
}

fn write_session_head(w: &mut W, rng: &mut Rng, c: &Common, peer: Option<&str>) -> String {
    let sid = uuid(rng);
    w.ks("sessionId", &sid);
    w.ks("mediaType", c.media);
    w.ks("direction", c.direction);
    w.ks("ani", c.ani);
    w.ks("dnis", c.dnis);
    if let Some(p) = peer {
        w.ks("peerId", p);
    }
    w.ks("provider", c.provider);
    if let Some(e) = c.edge {
        w.ks("edgeId", e);
        w.ks("protocolCallId", &uuid(rng));
    }
    sid
}

fn write_segments(w: &mut W, segs: &[Seg], number_start: bool) {
    w.key("segments");
    w.arr();
    for (k, s) in segs.iter().enumerate() {
        w.obj();
        if number_start && k == 0 {
            // Bad record: a number where the API promises a date-time string.
            w.ki("segmentStart", s.start);
        } else {
            w.kd("segmentStart", s.start);
        }
        if let Some(e) = s.end {
            w.kd("segmentEnd", e);
        }
        if let Some(q) = s.queue {
            w.ks("queueId", q);
        }
        w.ks("segmentType", s.kind);
        if let Some(d) = s.disconnect {
            w.ks("disconnectType", d);
        }
        if let Some(code) = s.wrapup {
            w.ks("wrapUpCode", code);
        }
        w.kb("conference", false);
        w.end_obj();
    }
    w.end_arr();
}

fn write_metrics(w: &mut W, metrics: &[(&str, i64, i64)]) {
    w.key("metrics");
    w.arr();
    for &(name, value, emit) in metrics {
        w.obj();
        w.ks("name", name);
        w.ki("value", value);
        w.kd("emitDate", emit);
        w.end_obj();
    }
    w.end_arr();
}

/// Participant `attributes` (job results only): recorded as a skip range.
fn write_attributes(w: &mut W, skips: &mut Vec<(usize, usize)>, attrs: &[(&str, &str)]) {
    let from = w.b.len();
    w.key("attributes");
    w.obj();
    for (k, v) in attrs {
        w.ks(k, v);
    }
    w.end_obj();
    skips.push((from, w.b.len()));
}

/// Writes one conversation object; returns its id and end (None = ongoing).
#[allow(clippy::too_many_arguments)]
fn write_conversation(
    w: &mut W,
    p: &Pools,
    rng: &mut Rng,
    idx: usize,
    start: i64,
    bad: Option<BadKind>,
    skips: &mut Vec<(usize, usize)>,
) -> (Option<String>, Option<i64>) {
    let media = match rng.u32(0..100) {
        0..=79 => Media::Voice,
        80..=86 => Media::Chat,
        87..=92 => Media::Message,
        93..=96 => Media::Email,
        _ => Media::Callback,
    };
    // A media type newer than any SDK enum: clients must keep enums open.
    let media_name = if idx % 199 == 42 {
        "instagram"
    } else {
        media.name()
    };
    let outbound = media == Media::Voice && rng.u32(0..100) < 15;
    let ongoing = bad.is_none() && rng.u32(0..1000) < 20;
    let abandoned = !outbound && !ongoing && rng.u32(0..100) < 6;
    let transfer = !abandoned && !ongoing && rng.u32(0..100) < 10;
    let long_call = rng.u32(0..100) == 0;
    let agentic = idx % 211 == 100;

    let customer_phone = phone(rng);
    let did = format!("tel:+1800555{:04}", rng.u32(100..200));
    let (ani, dnis, provider, edge) = match media {
        Media::Voice | Media::Callback => {
            let edge = p.edges[rng.usize(..p.edges.len())].as_str();
            if outbound {
                (did.clone(), customer_phone.clone(), "Edge", Some(edge))
            } else {
                (customer_phone.clone(), did.clone(), "Edge", Some(edge))
            }
        }
        Media::Email => (
            format!("customer{}@example.com", rng.u32(1000..99_999)),
            "support@example-corp.com".to_string(),
            "PureCloud Email",
            None,
        ),
        _ => (
            format!("guest-{}", rng.u32(100_000..999_999)),
            "webmessaging".to_string(),
            "PureCloud Messaging",
            None,
        ),
    };
    let common = Common {
        media: media_name,
        direction: if outbound { "outbound" } else { "inbound" },
        ani: &ani,
        dnis: &dnis,
        edge,
        provider,
    };

    // Timeline (ms since epoch).
    let ivr_ms = if media == Media::Voice && !outbound {
        rng.i64(8_000..90_000)
    } else {
        0
    };
    let queue_ms = exp_ms(rng, 55_000.0, 2_000, 1_800_000);
    let alert_ms = rng.i64(2_000..20_000);
    let talk_mean = match media {
        Media::Voice | Media::Callback => 260_000.0,
        Media::Chat | Media::Message => 540_000.0,
        Media::Email => 200_000.0,
    };
    let mut talk_ms = exp_ms(rng, talk_mean, 15_000, 3_600_000);
    if long_call {
        // A few multi-hour conversations cross hour and day boundaries.
        talk_ms = rng.i64(3_600_000..10_800_000);
    }
    let hold_ms = if media == Media::Voice && rng.u32(0..100) < 20 {
        rng.i64(10_000..240_000)
    } else {
        0
    };
    let acw_ms = rng.i64(5_000..150_000);

    let queue = &p.queues[rng.usize(..p.queues.len())];
    let agent1 = &p.agents[rng.usize(..p.agents.len())];
    let agent2 = &p.agents[rng.usize(..p.agents.len())];
    let wrap1 = p.wrapups[rng.usize(..p.wrapups.len())].as_str();
    let wrap2 = p.wrapups[rng.usize(..p.wrapups.len())].as_str();
    let flow = &p.flows[rng.usize(..p.flows.len())];
    let outcome = &p.outcomes[rng.usize(..p.outcomes.len())];

    let ivr_end = start + 150 + ivr_ms;
    let acd_end = ivr_end + if outbound { 0 } else { queue_ms };
    let answer = acd_end + alert_ms;
    let talk1 = if transfer { talk_ms / 3 } else { talk_ms };
    let talk1_end = answer + talk1 + hold_ms;
    let (agent2_answer, talk_end) = if transfer {
        let a2 = talk1_end + rng.i64(2_000..15_000);
        (a2, a2 + talk_ms - talk1)
    } else {
        (0, talk1_end)
    };
    let conv_end = if abandoned {
        acd_end
    } else if transfer {
        (talk_end + acw_ms).max(talk1_end + acw_ms / 2)
    } else {
        talk_end + acw_ms
    };
    let end = if ongoing { None } else { Some(conv_end) };
    let customer_end = if abandoned {
        Some(acd_end)
    } else if ongoing {
        None
    } else {
        Some(talk_end)
    };

    let id = uuid(rng);
    let mut attrs_buf: Vec<(&str, String)> = vec![
        (
            "Language",
            if rng.bool() {
                "en-US".into()
            } else {
                "es-US".into()
            },
        ),
        ("AccountNumber", format!("{:08}", rng.u32(0..100_000_000))),
        ("CustomerTier", TIERS[rng.usize(..TIERS.len())].into()),
        ("ivr.Intent", INTENTS[rng.usize(..INTENTS.len())].into()),
    ];
    if rng.u32(0..4) == 0 {
        attrs_buf.push(("crm.CaseId", format!("CS-{:07}", rng.u32(0..10_000_000))));
    }
    let attrs: Vec<(&str, &str)> = attrs_buf.iter().map(|(k, v)| (*k, v.as_str())).collect();

    w.obj();
    if bad != Some(BadKind::MissingId) {
        w.ks("conversationId", &id);
    }
    if bad == Some(BadKind::StartNotADate) {
        w.ks("conversationStart", "not-a-date");
    } else {
        w.kd("conversationStart", start);
    }
    if let Some(e) = end {
        w.kd("conversationEnd", e);
    }
    w.ks("originatingDirection", common.direction);
    w.ks(
        "conversationInitiator",
        if outbound { "agent" } else { "customer" },
    );
    w.kb("customerParticipation", true);
    w.key("divisionIds");
    w.arr();
    w.s(&p.divisions[rng.usize(..p.divisions.len())]);
    w.end_arr();
    if rng.u32(0..100) < 15 {
        w.ks("externalTag", &format!("CRM-{:06}", rng.u32(0..1_000_000)));
    }
    let mos = 3.2 + rng.f64() * 1.7;
    let rfactor = 60.0 + rng.f64() * 33.0;
    if media == Media::Voice {
        w.key("mediaStatsMinConversationMos");
        w.float2(mos);
        w.key("mediaStatsMinConversationRFactor");
        w.float2(rfactor);
    }
    if idx % 97 == 13 {
        // A field this SDK version has never heard of.
        w.key("newVendorField");
        w.obj();
        w.ks("sentiment", "positive");
        w.key("score");
        w.float2(rng.f64());
        w.key("labels");
        w.arr();
        w.s("ai-summary");
        w.s("v2");
        w.end_arr();
        w.end_obj();
    }
    w.kb("selfServed", false);

    if bad == Some(BadKind::ParticipantsString) {
        w.ks("participants", "customer,ivr,acd,agent");
        w.end_obj();
        return (Some(id), end);
    }
    let number_start = bad == Some(BadKind::SegmentStartNumber);

    w.key("participants");
    w.arr();

    // Customer (or external party on agent-initiated outbound calls).
    w.obj();
    w.ks("participantId", &uuid(rng));
    w.ks(
        "participantName",
        if media == Media::Voice {
            &customer_phone
        } else {
            "Customer"
        },
    );
    w.ks("purpose", if outbound { "external" } else { "customer" });
    write_attributes(w, skips, &attrs);
    w.key("sessions");
    w.arr();
    w.obj();
    let cust_sid = write_session_head(w, rng, &common, None);
    w.ks("remoteNameDisplayable", "Customer");
    if media == Media::Callback {
        w.key("callbackNumbers");
        w.arr();
        w.s(&customer_phone);
        w.end_arr();
        w.kd("callbackScheduledTime", start + 1_000);
    }
    if media == Media::Voice {
        w.key("mediaEndpointStats");
        w.arr();
        w.obj();
        w.key("codecs");
        w.arr();
        w.s("audio/opus");
        w.end_arr();
        w.key("minMos");
        w.float2(mos);
        w.key("minRFactor");
        w.float2(rfactor);
        w.ki("maxLatencyMs", rng.i64(20..400));
        w.ki("receivedPackets", (talk_ms / 20).max(1));
        w.ki("discardedPackets", rng.i64(0..30));
        w.kd("eventTime", customer_end.unwrap_or(answer));
        w.end_obj();
        w.end_arr();
    }
    let mut cs = vec![
        seg("system", start, Some(start + 150)),
        seg("interact", start + 150, customer_end),
    ];
    cs[1].disconnect = customer_end.map(|_| if abandoned { "endpoint" } else { "peer" });
    write_segments(w, &cs, number_start);
    write_metrics(w, &[("nConnected", 1, start + 150)]);
    w.end_obj();
    w.end_arr();
    w.end_obj();

    // IVR.
    if ivr_ms > 0 {
        w.obj();
        w.ks("participantId", &uuid(rng));
        w.ks("participantName", flow.1);
        w.ks("purpose", "ivr");
        w.key("sessions");
        w.arr();
        w.obj();
        write_session_head(w, rng, &common, Some(&cust_sid));
        w.key("flow");
        w.obj();
        w.ks("flowId", &flow.0);
        w.ks("flowName", flow.1);
        w.ks("flowVersion", &format!("{}.0", rng.u32(3..40)));
        w.ks("flowType", "INBOUNDCALL");
        w.ks("entryType", "dnis");
        w.ks("entryReason", &dnis);
        w.ks(
            "exitReason",
            if abandoned && queue_ms == 0 {
                "DISCONNECT"
            } else {
                "TRANSFER"
            },
        );
        w.ks("transferType", "ACD");
        w.ks("transferTargetName", queue.1);
        w.ks("transferTargetAddress", &queue.0);
        w.kb("issuedCallback", false);
        w.ks("startingLanguage", "en-us");
        w.ks("endingLanguage", "en-us");
        w.key("outcomes");
        w.arr();
        w.obj();
        w.ks("flowOutcome", outcome.1);
        w.ks("flowOutcomeId", &outcome.0);
        w.ks(
            "flowOutcomeValue",
            if rng.u32(0..4) == 0 {
                "FAILURE"
            } else {
                "SUCCESS"
            },
        );
        w.kd("flowOutcomeStartTimestamp", start + 2_000);
        w.kd("flowOutcomeEndTimestamp", ivr_end - 500);
        w.end_obj();
        w.end_arr();
        w.end_obj();
        let mut s = [seg("ivr", start + 150, Some(ivr_end))];
        s[0].disconnect = Some("transfer");
        write_segments(w, &s, false);
        write_metrics(w, &[("nFlow", 1, start + 150), ("tIvr", ivr_ms, ivr_end)]);
        w.end_obj();
        w.end_arr();
        w.end_obj();
    }

    // ACD queue.
    if !outbound {
        w.obj();
        w.ks("participantId", &uuid(rng));
        w.ks("participantName", queue.1);
        w.ks("purpose", "acd");
        w.key("sessions");
        w.arr();
        w.obj();
        write_session_head(w, rng, &common, Some(&cust_sid));
        w.ks("usedRouting", "Standard");
        w.key("requestedRoutings");
        w.arr();
        w.s("Standard");
        w.end_arr();
        if !abandoned {
            w.ks("selectedAgentId", &agent1.id);
        }
        let mut s = [seg("interact", ivr_end, Some(acd_end))];
        s[0].queue = Some(&queue.0);
        s[0].disconnect = Some(if abandoned { "peer" } else { "transfer" });
        write_segments(w, &s, false);
        let mut m = vec![
            ("nOffered", 1, ivr_end),
            ("tAcd", acd_end - ivr_end, acd_end),
        ];
        if abandoned {
            m.push(("tAbandon", acd_end - ivr_end, acd_end));
        }
        write_metrics(w, &m);
        w.end_obj();
        w.end_arr();
        w.end_obj();
    }

    // A participant purpose newer than any SDK enum (an AI agent that listened in).
    if agentic && !abandoned {
        w.obj();
        w.ks("participantId", &uuid(rng));
        w.ks("participantName", "Virtual Assistant");
        w.ks("purpose", "agentic");
        w.key("sessions");
        w.arr();
        w.obj();
        write_session_head(w, rng, &common, Some(&cust_sid));
        write_segments(w, &[seg("interact", acd_end, Some(answer))], false);
        w.end_obj();
        w.end_arr();
        w.end_obj();
    }

    // Agents.
    if !abandoned {
        let agents: &[(&Agent, i64, i64, &str, bool)] = if transfer {
            &[
                (agent1, acd_end, talk1_end, wrap1, true),
                (agent2, agent2_answer - alert_ms, talk_end, wrap2, false),
            ]
        } else {
            &[(agent1, acd_end, talk_end, wrap1, false)]
        };
        for &(agent, alert_start, talk_stop, wrap, transferred) in agents {
            let answered = alert_start + alert_ms;
            let acw_end = if transferred {
                talk_stop + acw_ms / 2
            } else {
                talk_stop + acw_ms
            };
            w.obj();
            w.ks("participantId", &uuid(rng));
            w.ks("participantName", &agent.name);
            w.ks("userId", &agent.id);
            w.ks("teamId", &agent.team);
            w.ks("purpose", "agent");
            write_attributes(w, skips, &attrs);
            w.key("sessions");
            w.arr();
            w.obj();
            write_session_head(w, rng, &common, Some(&cust_sid));
            if media == Media::Voice {
                w.kb("recording", true);
            }
            w.ks("usedRouting", if outbound { "Direct" } else { "Standard" });
            if outbound {
                w.ks(
                    "outboundCampaignId",
                    &p.campaigns[rng.usize(..p.campaigns.len())],
                );
            }
            let mut segs = Vec::with_capacity(5);
            let mut a = seg(
                if outbound { "dialing" } else { "alert" },
                alert_start,
                Some(answered),
            );
            a.queue = (!outbound).then_some(queue.0.as_str());
            segs.push(a);
            let held = if transferred { 0 } else { hold_ms };
            if ongoing {
                segs.push(seg("interact", answered, None));
            } else if held > 0 {
                let mid = answered + (talk_stop - answered - held) / 2;
                segs.push(seg("interact", answered, Some(mid)));
                segs.push(seg("hold", mid, Some(mid + held)));
                segs.push(seg("interact", mid + held, Some(talk_stop)));
            } else {
                segs.push(seg("interact", answered, Some(talk_stop)));
            }
            if !ongoing {
                let last = segs.len() - 1;
                segs[last].disconnect = Some(if transferred { "transfer" } else { "peer" });
                let mut wu = seg("wrapup", talk_stop, Some(acw_end));
                wu.wrapup = Some(wrap);
                segs.push(wu);
            }
            for s in segs.iter_mut().filter(|s| s.kind != "dialing") {
                if s.queue.is_none() && !outbound {
                    s.queue = Some(&queue.0);
                }
            }
            write_segments(w, &segs, false);
            let mut m: Vec<(&str, i64, i64)> = vec![
                (
                    if outbound { "tDialing" } else { "tAlert" },
                    alert_ms,
                    answered,
                ),
                ("nConnected", 1, answered),
            ];
            if !outbound {
                m.push(("tAnswered", answered - ivr_end, answered));
            } else {
                m.push(("nOutbound", 1, alert_start));
            }
            if !ongoing {
                let talk = talk_stop - answered - held;
                m.push(("tTalk", talk, talk_stop));
                m.push(("tTalkComplete", talk, talk_stop));
                if held > 0 {
                    m.push(("tHeld", held, talk_stop));
                    m.push(("tHeldComplete", held, talk_stop));
                    m.push(("nHeld", 1, answered + 1));
                }
                if transferred {
                    m.push(("nTransferred", 1, talk_stop));
                    m.push(("nBlindTransferred", 1, talk_stop));
                }
                m.push(("tAcw", acw_end - talk_stop, acw_end));
                m.push(("tHandle", acw_end - answered, acw_end));
            }
            write_metrics(w, &m);
            w.end_obj();
            w.end_arr();
            w.end_obj();
        }
    }
    w.end_arr();
    w.end_obj();
    (Some(id), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 86_400_000;

    #[test]
    fn default_data_has_the_awkward_cases_clients_must_handle() {
        let start = 1_795_132_800_000; // 2026-11-20T00:00:00Z
        let d = generate(&Pools::new(42), 42, 2_000, 0, start, start + 3 * DAY_MS);
        let crosses_midnight = d.records.iter().filter(|r| {
            r.end_ms
                .is_some_and(|e| r.start_ms.div_euclid(DAY_MS) != (e - 1).div_euclid(DAY_MS))
        });
        assert!(crosses_midnight.count() >= 1);
        let ongoing = d.ongoing.len();
        assert!((10..=80).contains(&ongoing), "~2% ongoing, got {ongoing}");
        let all: String = d
            .records
            .iter()
            .map(|r| std::str::from_utf8(&r.json).unwrap())
            .collect();
        let text = |needle: &str| usize::from(all.contains(needle));
        assert!(text("\"mediaType\":\"instagram\"") > 0);
        assert!(text("\"purpose\":\"agentic\"") > 0);
        assert!(text("\"newVendorField\"") > 0);
        assert!(text("\"tAbandon\"") > 0);
        assert!(text("\"disconnectType\":\"transfer\"") > 0);
        assert!(text("\"externalTag\"") > 0);
        for m in ["chat", "email", "message", "callback"] {
            assert!(text(&format!("\"mediaType\":\"{m}\"")) > 0, "{m}");
        }
    }

    #[test]
    fn records_are_valid_json_sorted_and_deterministic() {
        let a = generate(
            &Pools::new(7),
            7,
            600,
            8,
            1_795_132_800_000,
            1_795_132_800_000 + 2 * DAY_MS,
        );
        let b = generate(
            &Pools::new(7),
            7,
            600,
            8,
            1_795_132_800_000,
            1_795_132_800_000 + 2 * DAY_MS,
        );
        assert_eq!(a.records.len(), 608);
        let mut kinds = [0usize; 4];
        for (k, (x, y)) in a.records.iter().zip(&b.records).enumerate() {
            assert_eq!(x.json, y.json);
            let full: serde_json::Value = serde_json::from_slice(&x.json).unwrap();
            let mut q = Vec::new();
            a.push_without_attributes(k, &mut q);
            let lean: serde_json::Value = serde_json::from_slice(&q).unwrap();
            assert!(!String::from_utf8(q).unwrap().contains("\"attributes\""));
            if x.bad {
                if full.get("conversationId").is_none() {
                    kinds[0] += 1;
                } else if full["conversationStart"] == "not-a-date" {
                    kinds[1] += 1;
                } else if full["participants"].is_string() {
                    kinds[2] += 1;
                } else {
                    assert!(
                        full["participants"][0]["sessions"][0]["segments"][0]["segmentStart"]
                            .is_number()
                    );
                    kinds[3] += 1;
                }
            } else {
                assert_eq!(full["conversationId"].as_str(), x.id.as_deref());
                assert!(full["participants"][0]["attributes"].is_object());
                assert!(lean["participants"][0].get("attributes").is_none());
            }
        }
        assert_eq!(kinds, [2, 2, 2, 2]);
        assert!(a.records.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
        let avg = a.records.iter().map(|r| r.json.len()).sum::<usize>() / a.records.len();
        assert!((3000..7000).contains(&avg), "average record size {avg}");
    }
}
