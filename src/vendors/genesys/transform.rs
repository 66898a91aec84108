//! Genesys details pages (query and jobs results) → the five Genesys tables.
//!
//! Fast path: one streaming pass over the page. Each record is deserialized
//! into the borrowed model, validated and appended to all five tables before
//! the next one is read, so the working set stays one record (a jobs page
//! of 1000 records held as structs would spill out of cache). Any bad record
//! aborts the pass and undoes its dedupe insertions.
//! Slow path (only then): the envelope is re-read with each record as raw
//! text, each record is parsed on its own, and the ones that fail are
//! quarantined with a precise reason; the good ones are written.
//!
//! Quarantine policy: every bad record is quarantined, whatever its start
//! time. A bad record's start may be unreadable, so ownership cannot be
//! decided for it in general; treating all bad records alike keeps the rule
//! simple and the count honest (a bad record the next slice owns is seen in
//! both slices' quarantine, which is preferable to it vanishing).

use super::model::{
    Attributes, Conversation, DateTimeText, Metric, Participant, RawPage, Segment, Session, Text,
};
use crate::connector::PageMeta;
use crate::transform::columns::{arr, string_list, strings, timestamps, ConversationColumns};
use crate::transform::parse_timestamp_micros as parse_micros;
use crate::transform::reason::page_text;
use crate::transform::records::{accept_each, RecordSink, RecordsSeed};
use crate::transform::{
    make_batch, normalize_media_type, PageError, PageOutput, PageStats, SeenIds, Table,
};
use crate::Interval;
use arrow::array::{
    BooleanBuilder, Int32Builder, Int64Builder, ListBuilder, MapBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use chrono::DateTime;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// Transforms one Genesys details page (query or jobs results shape).
///
/// Writes only conversations whose `conversationStart` lies in `window` and
/// whose id is not yet in `seen` (then records it); counts the others.
/// Returns one batch per table of the `conversations` stream, in the
/// order of [`super::connector::CONVERSATION_TABLES`].
pub fn genesys_page(
    body: &[u8],
    window: &Interval,
    seen: &mut SeenIds,
) -> Result<PageOutput, PageError> {
    let window = (
        window.start().timestamp_micros(),
        window.end().timestamp_micros(),
    );
    let body = page_text(body)?;
    // Fast path: each conversation is transformed as soon as it has been
    // deserialized, so only one record's structs are alive at a time (a jobs
    // page of 1000 records would otherwise build tens of MB of structs and
    // walk them again out of cache). Any bad record aborts it; the undo log
    // restores `seen` so the per-record path starts from the same state.
    let mut sink = Sink::new(window, seen, body.len());
    let mut de = serde_json::Deserializer::from_str(body);
    let parsed = PageSeed { sink: &mut sink }
        .deserialize(&mut de)
        .and_then(|env| de.end().map(|()| env));
    match parsed {
        Ok(env) => {
            let records = sink.records;
            let meta = meta(
                env.total_hits,
                env.cursor,
                env.data_availability_date,
                records,
            )?;
            let (batches, stats) = sink.finish();
            return Ok(PageOutput {
                meta,
                batches,
                quarantined: Vec::new(),
                stats,
            });
        }
        Err(_) => sink.undo(),
    }
    slow_path(body, window, seen)
}

fn slow_path(body: &str, window: (i64, i64), seen: &mut SeenIds) -> Result<PageOutput, PageError> {
    let page: RawPage = serde_json::from_str(body)
        .map_err(|e| PageError::Malformed(format!("page envelope: {e}")))?;
    let raws = page.conversations.unwrap_or_default();
    let meta = meta(
        page.total_hits,
        page.cursor,
        page.data_availability_date,
        raws.len(),
    )?;
    let mut sink = Sink::new(window, seen, body.len());
    let quarantined = accept_each(&mut sink, &raws, "conversations");
    let (batches, stats) = sink.finish();
    Ok(PageOutput {
        meta,
        batches,
        quarantined,
        stats,
    })
}

/// The page envelope as read by [`PageSeed`]; the records went to the sink.
struct Envelope<'a> {
    total_hits: Option<u64>,
    cursor: Option<Text<'a>>,
    data_availability_date: Option<Text<'a>>,
}

/// Reads a page object, streaming `conversations` into the sink.
struct PageSeed<'s, 'w> {
    sink: &'s mut Sink<'w>,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_, '_> {
    type Value = Envelope<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_, '_> {
    type Value = Envelope<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a conversation details page object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let mut env = Envelope {
            total_hits: None,
            cursor: None,
            data_availability_date: None,
        };
        let mut had_records = false;
        while let Some(key) = m.next_key::<Text<'de>>()? {
            match key.as_str() {
                "conversations" if !had_records => {
                    had_records = true;
                    m.next_value_seed(RecordsSeed {
                        sink: &mut *self.sink,
                        expecting: "an array of conversations or null",
                    })?;
                }
                // A repeated envelope key is left to the strict slow path.
                "conversations" => return Err(de::Error::duplicate_field("conversations")),
                "totalHits" => env.total_hits = m.next_value()?,
                "cursor" => env.cursor = m.next_value()?,
                "dataAvailabilityDate" => env.data_availability_date = m.next_value()?,
                _ => {
                    m.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

fn meta(
    total_hits: Option<u64>,
    cursor: Option<Text>,
    availability: Option<Text>,
    records: usize,
) -> Result<PageMeta, PageError> {
    let data_availability = match availability {
        None => None,
        Some(t) => {
            let us = parse_micros(&t)
                .map_err(|e| PageError::Malformed(format!("dataAvailabilityDate: {e}")))?;
            Some(DateTime::from_timestamp_micros(us).ok_or_else(|| {
                PageError::Malformed(format!(
                    "dataAvailabilityDate {:?} is out of range",
                    t.as_str()
                ))
            })?)
        }
    };
    Ok(PageMeta {
        cursor: cursor.map(|c| c.0.into_owned()),
        total_hits,
        data_availability,
        records,
        fresh: None,
    })
}

/// The parsed times of a validated conversation.
#[derive(Clone, Copy)]
struct Times {
    start: i64,
    end: Option<i64>,
}

/// Validates the parts the tables require: ids present, all mapped
/// date-times readable, end not before start. The reason names the path.
fn check(c: &Conversation) -> Result<Times, String> {
    let id = match c.conversation_id.as_deref() {
        None => return Err("conversationId is missing".into()),
        Some("") => return Err("conversationId is empty".into()),
        Some(id) => id,
    };
    let fail = |path: String, why: String| Err(format!("conversation {id:?}: {path}: {why}"));
    let start = match &c.conversation_start {
        None => return fail("conversationStart".into(), "missing".into()),
        Some(t) => match t.micros {
            Some(us) => us,
            None => return fail("conversationStart".into(), why(t)),
        },
    };
    let end = match &c.conversation_end {
        None => None,
        Some(t) => match t.micros {
            None => return fail("conversationEnd".into(), why(t)),
            Some(us) if us < start => {
                return fail(
                    "conversationEnd".into(),
                    "is before conversationStart".into(),
                )
            }
            Some(us) => Some(us),
        },
    };
    for (pi, p) in c.participants.iter().flatten().enumerate() {
        if p.participant_id.is_none() {
            return fail(
                format!("participants[{pi}].participantId"),
                "missing".into(),
            );
        }
        for (si, s) in p.sessions.iter().flatten().enumerate() {
            let at = || format!("participants[{pi}].sessions[{si}]");
            if s.session_id.is_none() {
                return fail(format!("{}.sessionId", at()), "missing".into());
            }
            for (gi, g) in s.segments.iter().flatten().enumerate() {
                for (name, v) in [
                    ("segmentStart", &g.segment_start),
                    ("segmentEnd", &g.segment_end),
                ] {
                    if let Some(t) = v.as_ref().filter(|t| t.micros.is_none()) {
                        return fail(format!("{}.segments[{gi}].{name}", at()), why(t));
                    }
                }
            }
            for (mi, m) in s.metrics.iter().flatten().enumerate() {
                if m.name.is_none() {
                    return fail(format!("{}.metrics[{mi}].name", at()), "missing".into());
                }
                if let Some(t) = m.emit_date.as_ref().filter(|t| t.micros.is_none()) {
                    return fail(format!("{}.metrics[{mi}].emitDate", at()), why(t));
                }
            }
        }
    }
    Ok(Times { start, end })
}

/// Why a date-time did not parse (only on the error path: re-parses for the message).
fn why(t: &DateTimeText) -> String {
    parse_micros(&t.text)
        .err()
        .unwrap_or_else(|| "unreadable date-time".into())
}

/// The instant of a date-time validated by [`check`].
#[inline]
fn ts(v: &Option<DateTimeText>) -> Option<i64> {
    v.as_ref().and_then(|t| t.micros)
}

#[inline]
fn s<'x>(v: &'x Option<Text>) -> Option<&'x str> {
    v.as_deref()
}

fn append_strs(b: &mut ListBuilder<StringBuilder>, v: &Option<Vec<Option<Text>>>) {
    match v {
        None => b.append(false),
        Some(items) => {
            for it in items {
                b.values().append_option(it.as_deref());
            }
            b.append(true);
        }
    }
}

/// ASCII case-insensitive substring test without allocating.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Receives validated conversations one at a time and appends the rows of
/// the ones this slice owns.
struct Sink<'w> {
    b: Builders,
    window: (i64, i64),
    seen: &'w mut SeenIds,
    /// Keys this page added to `seen`, to undo them if the page is redone.
    added: Vec<u128>,
    stats: PageStats,
    records: usize,
}

impl<'w> Sink<'w> {
    fn new(window: (i64, i64), seen: &'w mut SeenIds, body_len: usize) -> Self {
        // Capacity hints from typical Genesys shapes (~4-5 KB per
        // conversation; per conversation ~4 participants and sessions, ~10
        // segments, ~12 metrics); builders grow past them if needed.
        let n = body_len / 4000 + 1;
        Sink {
            b: Builders::new(n, 4 * n, 4 * n, 10 * n, 12 * n),
            window,
            seen,
            added: Vec::new(),
            stats: PageStats::default(),
            records: 0,
        }
    }

    /// Validates `c`; then writes it, or counts it as out of window or duplicate.
    fn accept(&mut self, c: &Conversation) -> Result<(), String> {
        let t = check(c)?;
        if t.start < self.window.0 || t.start >= self.window.1 {
            self.stats.out_of_window += 1;
            return Ok(());
        }
        let id = c.conversation_id.as_deref().unwrap_or_default();
        match self.seen.insert_undoable(id) {
            None => {
                self.stats.duplicates += 1;
                return Ok(());
            }
            Some(key) => self.added.push(key),
        }
        let duration_ms = t.end.map(|e| (e - t.start) / 1000);
        self.stats.conversations += 1;
        if let Some(d) = duration_ms {
            self.stats.ended += 1;
            self.stats.duration_ms_sum += d;
        }
        self.b.conversation(id, c, t, duration_ms);
        Ok(())
    }

    /// Forgets this page's ids again (the page will be redone).
    fn undo(self) {
        for key in self.added {
            self.seen.forget(key);
        }
    }

    fn finish(self) -> (Vec<crate::transform::TableBatch>, PageStats) {
        (self.b.finish(), self.stats)
    }
}

impl RecordSink for Sink<'_> {
    type Record<'de> = Conversation<'de>;
    fn accept(&mut self, c: &Conversation) -> Result<(), String> {
        Sink::accept(self, c)
    }
    fn count_record(&mut self) {
        self.records += 1;
    }
    fn owner_start(raw: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Start<'a> {
            #[serde(borrow)]
            conversation_start: Option<&'a str>,
        }
        let start: Start = serde_json::from_str(raw).ok()?;
        crate::interval::parse_time(start.conversation_start?).ok()
    }
}

/// Conversation-level measures gathered while the child rows are written.
#[derive(Default)]
struct Rollup<'x> {
    media_type: Option<&'x str>,
    /// (segmentStart or MAX when unknown, queueId) of the earliest queued segment.
    first_queue: Option<(i64, &'x str)>,
    /// tHandle, tTalk, tHeld, tAcw, tAcd.
    sums: [Option<i64>; 5],
    abandoned: bool,
    transferred: bool,
}

impl<'x> Rollup<'x> {
    fn metric(&mut self, m: &Metric) {
        let slot = match m.name.as_deref() {
            Some("tHandle") => 0,
            Some("tTalk") => 1,
            Some("tHeld") => 2,
            Some("tAcw") => 3,
            Some("tAcd") => 4,
            Some("tAbandon") => {
                self.abandoned = true;
                return;
            }
            Some("nTransferred") => {
                self.transferred |= m.value.is_some_and(|v| v > 0);
                return;
            }
            _ => return,
        };
        if let Some(v) = m.value {
            let sum = &mut self.sums[slot];
            *sum = Some(sum.unwrap_or(0).saturating_add(v));
        }
    }

    fn segment(&mut self, g: &'x Segment, start: Option<i64>) {
        if let Some(q) = g.queue_id.as_deref() {
            let key = start.unwrap_or(i64::MAX);
            if self.first_queue.is_none_or(|(k, _)| key < k) {
                self.first_queue = Some((key, q));
            }
        }
        if g.disconnect_type
            .as_deref()
            .is_some_and(|d| contains_ignore_case(d, "transfer"))
        {
            self.transferred = true;
        }
    }
}

struct Builders {
    conv: ConversationColumns,
    part: PartCols,
    sess: SessCols,
    seg: SegCols,
    met: MetCols,
}

impl Builders {
    fn new(nc: usize, np: usize, ns: usize, ng: usize, nm: usize) -> Self {
        Builders {
            conv: ConversationColumns::new(nc, 36),
            part: PartCols::new(np),
            sess: SessCols::new(ns),
            seg: SegCols::new(ng),
            met: MetCols::new(nm),
        }
    }

    fn conversation<'x>(
        &mut self,
        id: &'x str,
        c: &'x Conversation,
        t: Times,
        duration_ms: Option<i64>,
    ) {
        let mut r = Rollup::default();
        let mut agents: Vec<&str> = Vec::new();
        let mut participant_count: i32 = 0;
        for p in c.participants.iter().flatten() {
            participant_count += 1;
            let pid = p.participant_id.as_deref().unwrap_or_default();
            self.part.append(id, pid, p);
            if p.purpose.as_deref() == Some("agent") {
                if let Some(u) = p.user_id.as_deref() {
                    if !agents.contains(&u) {
                        agents.push(u);
                    }
                }
            }
            for sn in p.sessions.iter().flatten() {
                let sid = sn.session_id.as_deref().unwrap_or_default();
                self.sess.append(id, pid, sid, sn);
                if r.media_type.is_none() {
                    r.media_type = sn.media_type.as_deref();
                }
                for (i, g) in sn.segments.iter().flatten().enumerate() {
                    let start = ts(&g.segment_start);
                    self.seg.append(id, pid, sid, i as i32, g, start);
                    r.segment(g, start);
                }
                for (i, m) in sn.metrics.iter().flatten().enumerate() {
                    self.met.append(id, pid, sid, i as i32, m);
                    r.metric(m);
                }
            }
        }
        let k = &mut self.conv;
        k.conversation_id.append_value(id);
        k.started_at.append_value(t.start);
        k.ended_at.append_option(t.end);
        k.duration_ms.append_option(duration_ms);
        k.direction.append_option(s(&c.originating_direction));
        k.media_type
            .append_value(normalize_media_type(r.media_type.unwrap_or("unknown")));
        k.queue_id.append_option(r.first_queue.map(|(_, q)| q));
        k.queue_name.append_null();
        for a in agents.iter() {
            k.agent_ids.values().append_value(a);
        }
        k.agent_ids.append(true);
        k.participant_count.append_value(participant_count);
        k.handle_ms.append_option(r.sums[0]);
        k.talk_ms.append_option(r.sums[1]);
        k.hold_ms.append_option(r.sums[2]);
        k.acw_ms.append_option(r.sums[3]);
        k.queue_wait_ms.append_option(r.sums[4]);
        k.abandoned.append_value(r.abandoned);
        k.transferred.append_value(r.transferred);
        append_strs(&mut k.division_ids, &c.division_ids);
        k.external_tag.append_option(s(&c.external_tag));
    }

    fn finish(self) -> Vec<crate::transform::TableBatch> {
        vec![
            self.conv.finish(),
            self.part.finish(),
            self.sess.finish(),
            self.seg.finish(),
            self.met.finish(),
        ]
    }
}

struct PartCols {
    conversation_id: StringBuilder,
    participant_id: StringBuilder,
    participant_name: StringBuilder,
    purpose: StringBuilder,
    user_id: StringBuilder,
    team_id: StringBuilder,
    external_contact_id: StringBuilder,
    external_organization_id: StringBuilder,
    flagged_reason: StringBuilder,
    screen_recording: BooleanBuilder,
    attributes: MapBuilder<StringBuilder, StringBuilder>,
}

impl PartCols {
    fn new(n: usize) -> Self {
        PartCols {
            conversation_id: strings(n, 36),
            participant_id: strings(n, 36),
            participant_name: strings(n, 12),
            purpose: strings(n, 8),
            user_id: strings(n, 36),
            team_id: strings(n, 0),
            external_contact_id: strings(n, 0),
            external_organization_id: strings(n, 0),
            flagged_reason: strings(n, 0),
            screen_recording: BooleanBuilder::with_capacity(n),
            attributes: MapBuilder::new(None, StringBuilder::new(), StringBuilder::new()),
        }
    }

    fn append(&mut self, cid: &str, pid: &str, p: &Participant) {
        self.conversation_id.append_value(cid);
        self.participant_id.append_value(pid);
        self.participant_name.append_option(s(&p.participant_name));
        self.purpose.append_option(s(&p.purpose));
        self.user_id.append_option(s(&p.user_id));
        self.team_id.append_option(s(&p.team_id));
        self.external_contact_id
            .append_option(s(&p.external_contact_id));
        self.external_organization_id
            .append_option(s(&p.external_organization_id));
        self.flagged_reason.append_option(s(&p.flagged_reason));
        self.screen_recording.append_option(p.screen_recording);
        append_attributes(&mut self.attributes, p.attributes.as_ref());
    }

    fn finish(self) -> crate::transform::TableBatch {
        make_batch(
            Table::named("genesys_participants"),
            vec![
                ("conversation_id", arr(self.conversation_id)),
                ("participant_id", arr(self.participant_id)),
                ("participant_name", arr(self.participant_name)),
                ("purpose", arr(self.purpose)),
                ("user_id", arr(self.user_id)),
                ("team_id", arr(self.team_id)),
                ("external_contact_id", arr(self.external_contact_id)),
                (
                    "external_organization_id",
                    arr(self.external_organization_id),
                ),
                ("flagged_reason", arr(self.flagged_reason)),
                ("screen_recording", arr(self.screen_recording)),
                ("attributes", arr(self.attributes)),
            ],
        )
    }
}

fn append_attributes(b: &mut MapBuilder<StringBuilder, StringBuilder>, a: Option<&Attributes>) {
    let valid = match a {
        None => false,
        Some(a) => {
            for (k, v) in &a.0 {
                b.keys().append_value(k.as_str());
                b.values().append_option(v.as_deref());
            }
            true
        }
    };
    // Only fails when keys and values differ in length, which the loop
    // above rules out.
    b.append(valid)
        .expect("map keys and values are appended in pairs");
}

struct SessCols {
    conversation_id: StringBuilder,
    participant_id: StringBuilder,
    session_id: StringBuilder,
    media_type: StringBuilder,
    direction: StringBuilder,
    ani: StringBuilder,
    dnis: StringBuilder,
    session_dnis: StringBuilder,
    address_from: StringBuilder,
    address_to: StringBuilder,
    address_self: StringBuilder,
    address_other: StringBuilder,
    edge_id: StringBuilder,
    provider: StringBuilder,
    remote: StringBuilder,
    peer_id: StringBuilder,
    protocol_call_id: StringBuilder,
    used_routing: StringBuilder,
    requested_routings: ListBuilder<StringBuilder>,
    selected_agent_id: StringBuilder,
    recording: BooleanBuilder,
    acw_skipped: BooleanBuilder,
    outbound_campaign_id: StringBuilder,
    outbound_contact_id: StringBuilder,
    outbound_contact_list_id: StringBuilder,
    disposition_name: StringBuilder,
    callback_numbers: ListBuilder<StringBuilder>,
    media_count: Int32Builder,
    flow_id: StringBuilder,
    flow_name: StringBuilder,
    flow_type: StringBuilder,
    flow_version: StringBuilder,
    flow_entry_reason: StringBuilder,
    flow_exit_reason: StringBuilder,
    flow_transfer_type: StringBuilder,
}

impl SessCols {
    fn new(n: usize) -> Self {
        SessCols {
            conversation_id: strings(n, 36),
            participant_id: strings(n, 36),
            session_id: strings(n, 36),
            media_type: strings(n, 5),
            direction: strings(n, 8),
            ani: strings(n, 16),
            dnis: strings(n, 16),
            session_dnis: strings(n, 0),
            address_from: strings(n, 0),
            address_to: strings(n, 0),
            address_self: strings(n, 0),
            address_other: strings(n, 0),
            edge_id: strings(n, 0),
            provider: strings(n, 0),
            remote: strings(n, 0),
            peer_id: strings(n, 0),
            protocol_call_id: strings(n, 0),
            used_routing: strings(n, 0),
            requested_routings: string_list(),
            selected_agent_id: strings(n, 0),
            recording: BooleanBuilder::with_capacity(n),
            acw_skipped: BooleanBuilder::with_capacity(n),
            outbound_campaign_id: strings(n, 0),
            outbound_contact_id: strings(n, 0),
            outbound_contact_list_id: strings(n, 0),
            disposition_name: strings(n, 0),
            callback_numbers: string_list(),
            media_count: Int32Builder::with_capacity(n),
            flow_id: strings(n, 0),
            flow_name: strings(n, 0),
            flow_type: strings(n, 0),
            flow_version: strings(n, 0),
            flow_entry_reason: strings(n, 0),
            flow_exit_reason: strings(n, 0),
            flow_transfer_type: strings(n, 0),
        }
    }

    fn append(&mut self, cid: &str, pid: &str, sid: &str, x: &Session) {
        self.conversation_id.append_value(cid);
        self.participant_id.append_value(pid);
        self.session_id.append_value(sid);
        self.media_type.append_option(s(&x.media_type));
        self.direction.append_option(s(&x.direction));
        self.ani.append_option(s(&x.ani));
        self.dnis.append_option(s(&x.dnis));
        self.session_dnis.append_option(s(&x.session_dnis));
        self.address_from.append_option(s(&x.address_from));
        self.address_to.append_option(s(&x.address_to));
        self.address_self.append_option(s(&x.address_self));
        self.address_other.append_option(s(&x.address_other));
        self.edge_id.append_option(s(&x.edge_id));
        self.provider.append_option(s(&x.provider));
        self.remote.append_option(s(&x.remote));
        self.peer_id.append_option(s(&x.peer_id));
        self.protocol_call_id.append_option(s(&x.protocol_call_id));
        self.used_routing.append_option(s(&x.used_routing));
        append_strs(&mut self.requested_routings, &x.requested_routings);
        self.selected_agent_id
            .append_option(s(&x.selected_agent_id));
        self.recording.append_option(x.recording);
        self.acw_skipped.append_option(x.acw_skipped);
        self.outbound_campaign_id
            .append_option(s(&x.outbound_campaign_id));
        self.outbound_contact_id
            .append_option(s(&x.outbound_contact_id));
        self.outbound_contact_list_id
            .append_option(s(&x.outbound_contact_list_id));
        self.disposition_name.append_option(s(&x.disposition_name));
        append_strs(&mut self.callback_numbers, &x.callback_numbers);
        self.media_count.append_option(x.media_count);
        let f = x.flow.as_ref();
        self.flow_id.append_option(f.and_then(|f| s(&f.flow_id)));
        self.flow_name
            .append_option(f.and_then(|f| s(&f.flow_name)));
        self.flow_type
            .append_option(f.and_then(|f| s(&f.flow_type)));
        self.flow_version
            .append_option(f.and_then(|f| s(&f.flow_version)));
        self.flow_entry_reason
            .append_option(f.and_then(|f| s(&f.entry_reason)));
        self.flow_exit_reason
            .append_option(f.and_then(|f| s(&f.exit_reason)));
        self.flow_transfer_type
            .append_option(f.and_then(|f| s(&f.transfer_type)));
    }

    fn finish(self) -> crate::transform::TableBatch {
        make_batch(
            Table::named("genesys_sessions"),
            vec![
                ("conversation_id", arr(self.conversation_id)),
                ("participant_id", arr(self.participant_id)),
                ("session_id", arr(self.session_id)),
                ("media_type", arr(self.media_type)),
                ("direction", arr(self.direction)),
                ("ani", arr(self.ani)),
                ("dnis", arr(self.dnis)),
                ("session_dnis", arr(self.session_dnis)),
                ("address_from", arr(self.address_from)),
                ("address_to", arr(self.address_to)),
                ("address_self", arr(self.address_self)),
                ("address_other", arr(self.address_other)),
                ("edge_id", arr(self.edge_id)),
                ("provider", arr(self.provider)),
                ("remote", arr(self.remote)),
                ("peer_id", arr(self.peer_id)),
                ("protocol_call_id", arr(self.protocol_call_id)),
                ("used_routing", arr(self.used_routing)),
                ("requested_routings", arr(self.requested_routings)),
                ("selected_agent_id", arr(self.selected_agent_id)),
                ("recording", arr(self.recording)),
                ("acw_skipped", arr(self.acw_skipped)),
                ("outbound_campaign_id", arr(self.outbound_campaign_id)),
                ("outbound_contact_id", arr(self.outbound_contact_id)),
                (
                    "outbound_contact_list_id",
                    arr(self.outbound_contact_list_id),
                ),
                ("disposition_name", arr(self.disposition_name)),
                ("callback_numbers", arr(self.callback_numbers)),
                ("media_count", arr(self.media_count)),
                ("flow_id", arr(self.flow_id)),
                ("flow_name", arr(self.flow_name)),
                ("flow_type", arr(self.flow_type)),
                ("flow_version", arr(self.flow_version)),
                ("flow_entry_reason", arr(self.flow_entry_reason)),
                ("flow_exit_reason", arr(self.flow_exit_reason)),
                ("flow_transfer_type", arr(self.flow_transfer_type)),
            ],
        )
    }
}

struct SegCols {
    conversation_id: StringBuilder,
    participant_id: StringBuilder,
    session_id: StringBuilder,
    segment_index: Int32Builder,
    segment_start: TimestampMicrosecondBuilder,
    segment_end: TimestampMicrosecondBuilder,
    segment_type: StringBuilder,
    disconnect_type: StringBuilder,
    queue_id: StringBuilder,
    group_id: StringBuilder,
    wrap_up_code: StringBuilder,
    wrap_up_note: StringBuilder,
    wrap_up_tags: ListBuilder<StringBuilder>,
    requested_routing_skill_ids: ListBuilder<StringBuilder>,
    requested_routing_user_ids: ListBuilder<StringBuilder>,
    conference: BooleanBuilder,
    source_conversation_id: StringBuilder,
    destination_conversation_id: StringBuilder,
    error_code: StringBuilder,
    subject: StringBuilder,
    sip_response_codes: ListBuilder<Int32Builder>,
}

impl SegCols {
    fn new(n: usize) -> Self {
        SegCols {
            conversation_id: strings(n, 36),
            participant_id: strings(n, 36),
            session_id: strings(n, 36),
            segment_index: Int32Builder::with_capacity(n),
            segment_start: timestamps(n),
            segment_end: timestamps(n),
            segment_type: strings(n, 8),
            disconnect_type: strings(n, 4),
            queue_id: strings(n, 16),
            group_id: strings(n, 0),
            wrap_up_code: strings(n, 0),
            wrap_up_note: strings(n, 0),
            wrap_up_tags: string_list(),
            requested_routing_skill_ids: string_list(),
            requested_routing_user_ids: string_list(),
            conference: BooleanBuilder::with_capacity(n),
            source_conversation_id: strings(n, 0),
            destination_conversation_id: strings(n, 0),
            error_code: strings(n, 0),
            subject: strings(n, 0),
            sip_response_codes: ListBuilder::new(Int32Builder::new()),
        }
    }

    fn append(
        &mut self,
        cid: &str,
        pid: &str,
        sid: &str,
        idx: i32,
        g: &Segment,
        start: Option<i64>,
    ) {
        self.conversation_id.append_value(cid);
        self.participant_id.append_value(pid);
        self.session_id.append_value(sid);
        self.segment_index.append_value(idx);
        self.segment_start.append_option(start);
        self.segment_end.append_option(ts(&g.segment_end));
        self.segment_type.append_option(s(&g.segment_type));
        self.disconnect_type.append_option(s(&g.disconnect_type));
        self.queue_id.append_option(s(&g.queue_id));
        self.group_id.append_option(s(&g.group_id));
        self.wrap_up_code.append_option(s(&g.wrap_up_code));
        self.wrap_up_note.append_option(s(&g.wrap_up_note));
        append_strs(&mut self.wrap_up_tags, &g.wrap_up_tags);
        append_strs(
            &mut self.requested_routing_skill_ids,
            &g.requested_routing_skill_ids,
        );
        append_strs(
            &mut self.requested_routing_user_ids,
            &g.requested_routing_user_ids,
        );
        self.conference.append_option(g.conference);
        self.source_conversation_id
            .append_option(s(&g.source_conversation_id));
        self.destination_conversation_id
            .append_option(s(&g.destination_conversation_id));
        self.error_code.append_option(s(&g.error_code));
        self.subject.append_option(s(&g.subject));
        match &g.sip_response_codes {
            None => self.sip_response_codes.append(false),
            Some(codes) => {
                for c in codes {
                    self.sip_response_codes.values().append_option(*c);
                }
                self.sip_response_codes.append(true);
            }
        }
    }

    fn finish(self) -> crate::transform::TableBatch {
        make_batch(
            Table::named("genesys_segments"),
            vec![
                ("conversation_id", arr(self.conversation_id)),
                ("participant_id", arr(self.participant_id)),
                ("session_id", arr(self.session_id)),
                ("segment_index", arr(self.segment_index)),
                ("segment_start", arr(self.segment_start)),
                ("segment_end", arr(self.segment_end)),
                ("segment_type", arr(self.segment_type)),
                ("disconnect_type", arr(self.disconnect_type)),
                ("queue_id", arr(self.queue_id)),
                ("group_id", arr(self.group_id)),
                ("wrap_up_code", arr(self.wrap_up_code)),
                ("wrap_up_note", arr(self.wrap_up_note)),
                ("wrap_up_tags", arr(self.wrap_up_tags)),
                (
                    "requested_routing_skill_ids",
                    arr(self.requested_routing_skill_ids),
                ),
                (
                    "requested_routing_user_ids",
                    arr(self.requested_routing_user_ids),
                ),
                ("conference", arr(self.conference)),
                ("source_conversation_id", arr(self.source_conversation_id)),
                (
                    "destination_conversation_id",
                    arr(self.destination_conversation_id),
                ),
                ("error_code", arr(self.error_code)),
                ("subject", arr(self.subject)),
                ("sip_response_codes", arr(self.sip_response_codes)),
            ],
        )
    }
}

struct MetCols {
    conversation_id: StringBuilder,
    participant_id: StringBuilder,
    session_id: StringBuilder,
    metric_index: Int32Builder,
    name: StringBuilder,
    value: Int64Builder,
    emit_date: TimestampMicrosecondBuilder,
}

impl MetCols {
    fn new(n: usize) -> Self {
        MetCols {
            conversation_id: strings(n, 36),
            participant_id: strings(n, 36),
            session_id: strings(n, 36),
            metric_index: Int32Builder::with_capacity(n),
            name: strings(n, 8),
            value: Int64Builder::with_capacity(n),
            emit_date: timestamps(n),
        }
    }

    fn append(&mut self, cid: &str, pid: &str, sid: &str, idx: i32, m: &Metric) {
        self.conversation_id.append_value(cid);
        self.participant_id.append_value(pid);
        self.session_id.append_value(sid);
        self.metric_index.append_value(idx);
        self.name
            .append_value(m.name.as_deref().unwrap_or_default());
        self.value.append_option(m.value);
        self.emit_date.append_option(ts(&m.emit_date));
    }

    fn finish(self) -> crate::transform::TableBatch {
        make_batch(
            Table::named("genesys_metrics"),
            vec![
                ("conversation_id", arr(self.conversation_id)),
                ("participant_id", arr(self.participant_id)),
                ("session_id", arr(self.session_id)),
                ("metric_index", arr(self.metric_index)),
                ("name", arr(self.name)),
                ("value", arr(self.value)),
                ("emit_date", arr(self.emit_date)),
            ],
        )
    }
}

#[cfg(test)]
#[path = "transform_tests.rs"]
mod tests;
