//! Deterministic Genesys conversation records, serialized once into bytes.
//!
//! Every record is written straight into a byte arena by a tiny JSON writer
//! (no `serde_json::Value` tree): at a million conversations the generator has
//! to produce several gigabytes of JSON, and building value trees would cost
//! more than the whole benchmark it serves. Each record gets its own RNG seeded
//! from `(seed, index)`, so the data does not depend on thread scheduling.

use bytes::Bytes;
use fastrand::Rng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One pre-serialized conversation (good or malformed) in start order.
pub(crate) struct Record {
    /// Server-side sort and filter key. For a bad record whose
    /// `conversationStart` is unreadable this is where it was placed.
    pub start_ms: i64,
    /// `None` while ongoing.
    pub end_ms: Option<i64>,
    /// `conversationId` as served (absent for one bad kind).
    pub id: Option<Box<str>>,
    pub bad: bool,
    /// Full JSON object, participants carrying `attributes` (job variant).
    pub json: Bytes,
    /// Byte ranges of `,"attributes":{...}` to leave out for the query
    /// variant, which has no participant attributes.
    pub attr_skips: Box<[(u32, u32)]>,
}

impl Record {
    /// Appends the query variant (no participant `attributes`).
    pub fn push_without_attributes(&self, out: &mut Vec<u8>) {
        let mut pos = 0usize;
        for &(a, z) in self.attr_skips.iter() {
            out.extend_from_slice(&self.json[pos..a as usize]);
            pos = z as usize;
        }
        out.extend_from_slice(&self.json[pos..]);
    }
}

/// All records sorted by `start_ms`, plus indexes the job endpoint needs.
pub(crate) struct Dataset {
    pub records: Vec<Record>,
    /// Longest finished conversation: bounds how far back an overlap search
    /// has to look.
    pub max_duration_ms: i64,
    /// Indexes of ongoing records (they overlap every later interval).
    pub ongoing: Vec<u32>,
}

/// The four malformed shapes a run must quarantine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BadKind {
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

const DAY_MS: i64 = 86_400_000;
const CHUNK: usize = 2048;

/// Builds `conversations` good records plus `bad_records` malformed ones,
/// with starts spread evenly (with jitter) over `[start_ms, end_ms)`.
pub(crate) fn generate(
    seed: u64,
    conversations: usize,
    bad_records: usize,
    start_ms: i64,
    end_ms: i64,
) -> Dataset {
    let total = conversations + bad_records;
    let pools = Pools::new(seed);
    let mut bad_at = vec![u32::MAX; total];
    for j in 0..bad_records {
        // Spread bad records evenly; distinct because bad_records <= total.
        let i = ((j as f64 + 0.5) * total as f64 / bad_records as f64) as usize;
        bad_at[i.min(total - 1)] = j as u32;
    }
    let span = (end_ms - start_ms).max(1) as f64;
    let chunks = total.div_ceil(CHUNK);
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Vec<Record>)>> = Mutex::new(Vec::with_capacity(chunks));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(chunks.max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut w = W::default();
                let mut skips = Vec::new();
                loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks {
                        break;
                    }
                    let lo = c * CHUNK;
                    let hi = (lo + CHUNK).min(total);
                    w.b = Vec::with_capacity((hi - lo) * 4800);
                    let mut metas = Vec::with_capacity(hi - lo);
                    for (i, &bad_j) in bad_at.iter().enumerate().take(hi).skip(lo) {
                        let mut rng = Rng::with_seed(mix(seed, i as u64));
                        let u = rng.f64();
                        let st = start_ms + ((i as f64 + u) * span / total as f64) as i64;
                        let st = st.min(end_ms - 1).max(start_ms);
                        let bad = (bad_j != u32::MAX).then(|| BadKind::nth(bad_j as usize));
                        let from = w.b.len();
                        skips.clear();
                        let (id, end) =
                            write_conversation(&mut w, &pools, &mut rng, i, st, bad, &mut skips);
                        let rel: Box<[(u32, u32)]> = skips
                            .iter()
                            .map(|&(a, z)| ((a - from) as u32, (z - from) as u32))
                            .collect();
                        metas.push((from, w.b.len(), st, end, id, bad.is_some(), rel));
                    }
                    let arena = Bytes::from(std::mem::take(&mut w.b));
                    let recs = metas
                        .into_iter()
                        .map(|(a, z, st, end, id, bad, attr_skips)| Record {
                            start_ms: st,
                            end_ms: end,
                            id: id.map(String::into_boxed_str),
                            bad,
                            json: arena.slice(a..z),
                            attr_skips,
                        })
                        .collect();
                    done.lock().unwrap().push((c, recs));
                }
            });
        }
    });
    let mut parts = done.into_inner().unwrap();
    parts.sort_by_key(|p| p.0);
    let mut records = Vec::with_capacity(total);
    for (_, r) in parts {
        records.extend(r);
    }
    let mut max_duration_ms = 0;
    let mut ongoing = Vec::new();
    for (i, r) in records.iter().enumerate() {
        match r.end_ms {
            Some(e) => max_duration_ms = max_duration_ms.max(e - r.start_ms),
            None => ongoing.push(i as u32),
        }
    }
    Dataset {
        records,
        max_duration_ms,
        ongoing,
    }
}

/// SplitMix64 finalizer: decorrelates per-record seeds.
pub(crate) fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed
        ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------
// Reference data shared by all conversations of one seed.

struct Agent {
    id: String,
    name: String,
    team: String,
}

struct Pools {
    divisions: Vec<String>,
    queues: Vec<(String, &'static str)>,
    agents: Vec<Agent>,
    flows: Vec<(String, &'static str)>,
    outcomes: Vec<(String, &'static str)>,
    wrapups: Vec<String>,
    edges: Vec<String>,
    campaigns: Vec<String>,
}

const QUEUES: &[&str] = &[
    "Sales EN",
    "Sales ES",
    "Support Tier 1",
    "Support Tier 2",
    "Billing",
    "Retentions",
    "Claims",
    "Technical Support",
    "VIP Care",
    "Collections",
    "Email Support",
    "Chat Support",
    "Callback Queue",
    "Onboarding",
    "Fraud Desk",
    "Returns",
];
const FIRST: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mateo", "Amelia",
    "Leo", "Harper", "Ethan", "Aria", "Kenji", "Priya", "Tomás", "Ingrid", "Amara", "Chloé",
    "Jonas", "Fatima", "Diego",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "García", "Brown", "Nguyen", "Müller", "Okafor", "Rossi", "Kowalski",
    "Tanaka", "Silva", "Dubois", "Haddad", "O'Brien", "Patel", "Larsen",
];
const FLOWS: &[&str] = &[
    "Main Inbound IVR",
    "After Hours IVR",
    "Billing Self-Service",
    "Spanish IVR",
];
const OUTCOMES: &[&str] = &[
    "Customer Identified",
    "Balance Self-Service",
    "Callback Offered",
    "Language Selected",
];
const INTENTS: &[&str] = &[
    "billing",
    "new_order",
    "cancel",
    "tech_issue",
    "address_change",
    "claim_status",
];
const TIERS: &[&str] = &["Gold", "Silver", "Bronze", "Platinum"];

impl Pools {
    fn new(seed: u64) -> Pools {
        let mut rng = Rng::with_seed(mix(seed, u64::MAX));
        let mut ids = |n: usize| (0..n).map(|_| uuid(&mut rng)).collect::<Vec<_>>();
        let divisions = ids(3);
        let queues = ids(QUEUES.len())
            .into_iter()
            .zip(QUEUES.iter().copied())
            .collect();
        let teams = ids(12);
        let agent_ids = ids(240);
        let flows = ids(FLOWS.len())
            .into_iter()
            .zip(FLOWS.iter().copied())
            .collect();
        let outcomes = ids(OUTCOMES.len())
            .into_iter()
            .zip(OUTCOMES.iter().copied())
            .collect();
        let wrapups = ids(18);
        let edges = ids(6);
        let campaigns = ids(3);
        let agents = agent_ids
            .into_iter()
            .enumerate()
            .map(|(k, id)| Agent {
                id,
                name: format!(
                    "{} {}",
                    FIRST[k % FIRST.len()],
                    LAST[(k / FIRST.len() + k) % LAST.len()]
                ),
                team: teams[k % teams.len()].clone(),
            })
            .collect();
        Pools {
            divisions,
            queues,
            agents,
            flows,
            outcomes,
            wrapups,
            edges,
            campaigns,
        }
    }
}

fn uuid(rng: &mut Rng) -> String {
    let mut b = [0u8; 36];
    uuid_into(rng, &mut b);
    String::from_utf8(b.to_vec()).expect("hex is ascii")
}

fn uuid_into(rng: &mut Rng, out: &mut [u8; 36]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hi = rng.u64(..);
    let lo = rng.u64(..);
    // Version 4, variant 10xx: looks like what Genesys issues.
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(0xC << 60)) | (0x8 << 60);
    let v = ((hi as u128) << 64) | lo as u128;
    let mut k = 0;
    for (pos, slot) in out.iter_mut().enumerate() {
        if matches!(pos, 8 | 13 | 18 | 23) {
            *slot = b'-';
        } else {
            *slot = HEX[((v >> (124 - 4 * k)) & 0xF) as usize];
            k += 1;
        }
    }
}

// ---------------------------------------------------------------------------
// Minimal streaming JSON writer.

#[derive(Default)]
pub(crate) struct W {
    pub b: Vec<u8>,
    first: Vec<bool>,
    after_key: bool,
}

impl W {
    pub(crate) fn sep(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(f) = self.first.last_mut() {
            if *f {
                *f = false;
            } else {
                self.b.push(b',');
            }
        }
    }
    pub(crate) fn obj(&mut self) {
        self.sep();
        self.b.push(b'{');
        self.first.push(true);
    }
    pub(crate) fn end_obj(&mut self) {
        self.b.push(b'}');
        self.first.pop();
    }
    pub(crate) fn arr(&mut self) {
        self.sep();
        self.b.push(b'[');
        self.first.push(true);
    }
    pub(crate) fn end_arr(&mut self) {
        self.b.push(b']');
        self.first.pop();
    }
    pub(crate) fn key(&mut self, k: &str) {
        self.sep();
        self.b.push(b'"');
        self.b.extend_from_slice(k.as_bytes());
        self.b.extend_from_slice(b"\":");
        self.after_key = true;
    }
    pub(crate) fn s(&mut self, v: &str) {
        self.sep();
        self.b.push(b'"');
        for &c in v.as_bytes() {
            match c {
                b'"' => self.b.extend_from_slice(b"\\\""),
                b'\\' => self.b.extend_from_slice(b"\\\\"),
                c if c < 0x20 => self.b.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
                c => self.b.push(c),
            }
        }
        self.b.push(b'"');
    }
    pub(crate) fn int(&mut self, v: i64) {
        self.sep();
        push_int(&mut self.b, v);
    }
    pub(crate) fn float2(&mut self, v: f64) {
        self.sep();
        // Two decimals, like the MOS / R-factor values the API returns.
        let c = (v * 100.0).round() as i64;
        push_int(&mut self.b, c / 100);
        self.b.push(b'.');
        let f = (c % 100).abs();
        self.b.push(b'0' + (f / 10) as u8);
        self.b.push(b'0' + (f % 10) as u8);
    }
    pub(crate) fn boolean(&mut self, v: bool) {
        self.sep();
        self.b.extend_from_slice(if v { b"true" } else { b"false" });
    }
    pub(crate) fn date(&mut self, ms: i64) {
        self.sep();
        self.b.push(b'"');
        push_date(&mut self.b, ms);
        self.b.push(b'"');
    }
    pub(crate) fn ks(&mut self, k: &str, v: &str) {
        self.key(k);
        self.s(v);
    }
    pub(crate) fn ki(&mut self, k: &str, v: i64) {
        self.key(k);
        self.int(v);
    }
    pub(crate) fn kd(&mut self, k: &str, ms: i64) {
        self.key(k);
        self.date(ms);
    }
    pub(crate) fn kb(&mut self, k: &str, v: bool) {
        self.key(k);
        self.boolean(v);
    }
    pub(crate) fn null(&mut self) {
        self.sep();
        self.b.extend_from_slice(b"null");
    }
    pub(crate) fn kn(&mut self, k: &str) {
        self.key(k);
        self.null();
    }
    /// Milliseconds as decimal seconds, shortest form with at least one
    /// decimal (`187.452`, `12.5`, `0.0`), as a .NET double serializes.
    pub(crate) fn secs(&mut self, ms: i64) {
        self.sep();
        push_int(&mut self.b, ms / 1000);
        self.b.push(b'.');
        let f = (ms % 1000).abs();
        let d = [
            b'0' + (f / 100) as u8,
            b'0' + (f / 10 % 10) as u8,
            b'0' + (f % 10) as u8,
        ];
        let mut n = 3;
        while n > 1 && d[n - 1] == b'0' {
            n -= 1;
        }
        self.b.extend_from_slice(&d[..n]);
    }
    pub(crate) fn ksecs(&mut self, k: &str, ms: i64) {
        self.key(k);
        self.secs(ms);
    }
}

pub(crate) fn push_int(b: &mut Vec<u8>, v: i64) {
    if v < 0 {
        b.push(b'-');
    }
    let mut u = v.unsigned_abs();
    let mut tmp = [0u8; 20];
    let mut n = tmp.len();
    loop {
        n -= 1;
        tmp[n] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[n..]);
}

/// `yyyy-MM-ddTHH:mm:ss.SSSZ` from epoch milliseconds, without chrono's
/// formatter (tens of millions of timestamps at benchmark scale).
pub(crate) fn push_date(b: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let two = |b: &mut Vec<u8>, v: i64| {
        b.push(b'0' + (v / 10) as u8);
        b.push(b'0' + (v % 10) as u8);
    };
    two(b, y / 100);
    two(b, y % 100);
    b.push(b'-');
    two(b, m);
    b.push(b'-');
    two(b, d);
    b.push(b'T');
    two(b, rem / 3_600_000);
    b.push(b':');
    two(b, rem / 60_000 % 60);
    b.push(b':');
    two(b, rem / 1000 % 60);
    b.push(b'.');
    let f = rem % 1000;
    b.push(b'0' + (f / 100) as u8);
    two(b, f % 100);
    b.push(b'Z');
}

/// Formats epoch milliseconds the way the API does.
pub(crate) fn fmt_date(ms: i64) -> String {
    let mut b = Vec::with_capacity(24);
    push_date(&mut b, ms);
    String::from_utf8(b).expect("ascii")
}

// ---------------------------------------------------------------------------
// One conversation.

/// Exponential draw with a floor and ceiling, in ms.
fn exp_ms(rng: &mut Rng, mean_ms: f64, min: i64, max: i64) -> i64 {
    let u = rng.f64().max(1e-12);
    ((-u.ln() * mean_ms) as i64).clamp(min, max)
}

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
    use chrono::{DateTime, SecondsFormat};

    #[test]
    fn date_format_matches_chrono() {
        for ms in [
            0i64,
            951_782_400_123,
            1_795_132_799_999,
            1_795_132_800_000,
            4_102_444_800_001,
            1_709_164_800_500,
        ] {
            let c = DateTime::from_timestamp_millis(ms)
                .unwrap()
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            assert_eq!(fmt_date(ms), c);
        }
    }

    #[test]
    fn default_data_has_the_awkward_cases_clients_must_handle() {
        let start = 1_795_132_800_000; // 2026-11-20T00:00:00Z
        let d = generate(42, 2_000, 0, start, start + 3 * DAY_MS);
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
        let a = generate(7, 600, 8, 1_795_132_800_000, 1_795_132_800_000 + 2 * DAY_MS);
        let b = generate(7, 600, 8, 1_795_132_800_000, 1_795_132_800_000 + 2 * DAY_MS);
        assert_eq!(a.records.len(), 608);
        let mut kinds = [0usize; 4];
        for (x, y) in a.records.iter().zip(&b.records) {
            assert_eq!(x.json, y.json);
            let full: serde_json::Value = serde_json::from_slice(&x.json).unwrap();
            let mut q = Vec::new();
            x.push_without_attributes(&mut q);
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
