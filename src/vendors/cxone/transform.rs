//! CXone `contacts/completed` pages → `conversations` and `cxone_contacts`.
//!
//! Same shape as the Genesys transform. Fast path: one streaming pass; each
//! record is deserialized into the borrowed lenient model, validated and
//! appended to both tables before the next is read. Any bad record aborts
//! the pass and undoes its dedupe insertions. Slow path (only then): the
//! envelope is re-read with each record as raw text, each record is parsed
//! on its own, and the ones that fail are quarantined with a precise
//! reason; the good ones are written.
//!
//! Quarantine policy (as for Genesys): every bad record is quarantined,
//! whatever its start time, because a bad record's start may be unreadable.
//!
//! Mapping choices for `conversations` (where the contract is silent):
//! - `media_type`: `mediaTypeName` normalised ([`media_type`]); when the
//!   name is missing, the documented `mediaTypeId` codes. "Voice Mail" is
//!   `voicemail`, not `voice`: CXone delivers a voicemail as its own contact
//!   after the call, so counting it as voice would count the caller twice
//!   and mix listening time into call durations.
//! - `queue_id`/`queue_name`: the skill; skill id 0 and an empty name mean
//!   "no skill" (abandoned before routing) and are null.
//! - `agent_ids`: `[agentId]` when agentId > 0, else empty.
//! - `participant_count`: CXone lists no participants; a contact is one
//!   customer plus the agent when one handled it (1 or 2). Transfer and
//!   conference legs are separate contacts sharing `masterContactId`.
//! - `handle_ms` = agent + hold + ACW seconds (absent parts count 0; null
//!   when all three are absent); `talk_ms` = agentSeconds.
//! - `transferred`: transferIndicatorId > 0, or a transferIndicatorName
//!   other than "None".

use super::model::{Contact, LenientI64, LenientTime, RawPage, Tag, TimeText};
use crate::connector::PageMeta;
use crate::transform::columns::{arr, strings, timestamps, ConversationColumns};
use crate::transform::reason::page_text;
use crate::transform::records::{accept_each, RecordSink, RecordsSeed};
use crate::transform::{
    make_batch, normalize_media_type, PageError, PageOutput, PageStats, SeenIds, Table, TableBatch,
};
use crate::Interval;
use arrow::array::{
    BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder, StructBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::datatypes::DataType;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Transforms one CXone `contacts/completed` page (v34 envelope, or the
/// legacy one wrapped in `resultSet`).
///
/// Writes only contacts whose start lies in `window` and whose id is not
/// yet in `seen` (then records it); counts the others. Returns one batch
/// per table of the `contacts` stream, in order: `conversations`,
/// `cxone_contacts`. `meta.records` counts every record of the page, good
/// and bad, because the source detects the last page by a short count.
pub fn cxone_page(
    body: &[u8],
    window: &Interval,
    seen: &mut SeenIds,
) -> Result<PageOutput, PageError> {
    let window = (
        window.start().timestamp_micros(),
        window.end().timestamp_micros(),
    );
    let body = page_text(body)?;

    let mut sink = Sink::new(window, seen, body.len());
    let mut de = serde_json::Deserializer::from_str(body);
    let parsed = PageSeed { sink: &mut sink }
        .deserialize(&mut de)
        .and_then(|env| de.end().map(|()| env));
    match parsed {
        Ok(env) => {
            let meta = meta(env.total_records, sink.records);
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
    let (raws, total) = match page.result_set {
        None => (page.completed_contacts, page.total_records),
        Some(inner) => {
            if page.completed_contacts.is_some() {
                return Err(PageError::Malformed(
                    "completedContacts both at the top level and inside resultSet".into(),
                ));
            }
            if inner.result_set.is_some() {
                return Err(PageError::Malformed("resultSet inside resultSet".into()));
            }
            let total = inner.total_records.0.or(page.total_records.0);
            (inner.completed_contacts, LenientI64(total))
        }
    };
    let raws = raws.unwrap_or_default();
    let mut sink = Sink::new(window, seen, body.len());
    let quarantined = accept_each(&mut sink, &raws, "completedContacts");
    let (batches, stats) = sink.finish();
    Ok(PageOutput {
        meta: meta(total, raws.len()),
        batches,
        quarantined,
        stats,
    })
}

fn meta(total_records: LenientI64, records: usize) -> PageMeta {
    PageMeta {
        cursor: None,
        total_hits: total_records.0.and_then(|n| u64::try_from(n).ok()),
        data_availability: None,
        records,
        fresh: None,
    }
}

/// The page envelope as read by [`PageSeed`]; the records went to the sink.
struct Envelope {
    total_records: LenientI64,
}

/// Reads a page object (or the `resultSet` inside one), streaming
/// `completedContacts` into the sink.
struct PageSeed<'s, 'w> {
    sink: &'s mut Sink<'w>,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_, '_> {
    type Value = Envelope;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Envelope, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_, '_> {
    type Value = Envelope;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a completed contacts page object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Envelope, A::Error> {
        let mut env = Envelope {
            total_records: LenientI64(None),
        };
        let mut nested: Option<Envelope> = None;
        while let Some(key) = m.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "completedContacts" => {
                    // A second array (repeated key, or one at each level)
                    // is ambiguous: left to the slow path, which rejects it.
                    if self.sink.had_records {
                        return Err(de::Error::duplicate_field("completedContacts"));
                    }
                    self.sink.had_records |= m.next_value_seed(RecordsSeed {
                        sink: &mut *self.sink,
                        expecting: "an array of completed contacts or null",
                    })?;
                }
                "totalRecords" => env.total_records = m.next_value()?,
                "resultSet" if nested.is_none() && self.sink.depth == 0 => {
                    self.sink.depth += 1;
                    nested = Some(m.next_value_seed(PageSeed {
                        sink: &mut *self.sink,
                    })?);
                    self.sink.depth -= 1;
                }
                "resultSet" => return Err(de::Error::duplicate_field("resultSet")),
                _ => {
                    m.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        if let Some(n) = nested {
            env.total_records = LenientI64(n.total_records.0.or(env.total_records.0));
        }
        Ok(env)
    }
}

/// Longest duration accepted: ten years. Beyond it (or negative) the value
/// is junk, and would overflow the end time if taken at face value.
const MAX_DURATION_MS: i64 = 10 * 366 * 86_400_000;

/// What [`check`] established about a valid contact.
#[derive(Clone, Copy)]
struct Checked {
    id: i64,
    start: i64,
    duration_ms: Option<i64>,
}

/// Validates what the tables require: a contact id, a readable start, a
/// sane total duration, and every other date-time readable. The reason
/// names the field (by its v34 name).
fn check(c: &Contact) -> Result<Checked, String> {
    let id = c
        .contact_id
        .0
        .ok_or_else(|| "contactId is missing".to_string())?;
    let fail = |field: &str, why: String| Err(format!("contact {id}: {field}: {why}"));
    let start = match &c.contact_start_date.0 {
        None => return fail("contactStartDate", "missing".into()),
        Some(TimeText {
            micros: Some(us), ..
        }) => *us,
        Some(t) => return fail("contactStartDate", unreadable(t)),
    };
    let duration_ms = match c.total_duration_seconds.0 {
        None => None,
        Some(s) => {
            let ms = (s * 1000.0).round();
            if !(0.0..=MAX_DURATION_MS as f64).contains(&ms) {
                return fail("totalDurationSeconds", format!("{s} is out of range"));
            }
            Some(ms as i64)
        }
    };
    for (field, v) in [
        ("refuseTime", &c.refuse_time),
        ("dateContactWarehoused", &c.date_contact_warehoused),
        ("dateACWWarehoused", &c.date_acw_warehoused),
        ("lastUpdateTime", &c.last_update_time),
        ("analyticsProcessedDate", &c.analytics_processed_date),
    ] {
        if let Some(t) = v.0.as_ref().filter(|t| t.micros.is_none()) {
            return fail(field, unreadable(t));
        }
    }
    Ok(Checked {
        id,
        start,
        duration_ms,
    })
}

fn unreadable(t: &TimeText) -> String {
    format!("{:?} is not a date-time", t.text.as_str())
}

/// Seconds → whole milliseconds.
#[inline]
fn ms(v: Option<f64>) -> Option<i64> {
    v.map(|s| (s * 1000.0).round() as i64)
}

#[inline]
fn ts(v: &LenientTime) -> Option<i64> {
    v.0.as_ref().and_then(|t| t.micros)
}

/// CXone media names onto the shared vocabulary (see the module doc);
/// other names go through [`normalize_media_type`], so a new medium shows
/// up as itself, lowercased.
const MEDIA_NAMES: [(&str, &str); 17] = [
    ("Phone Call", "voice"),
    ("PhoneCall", "voice"),
    ("Voice Mail", "voicemail"),
    ("VoiceMail", "voicemail"),
    ("Chat", "chat"),
    ("Email", "email"),
    ("E-Mail", "email"),
    ("SMS", "message"),
    ("Work Item", "workitem"),
    ("WorkItem", "workitem"),
    ("Work Time", "workitem"),
    ("Social", "message"),
    ("Digital", "message"),
    ("Voice", "voice"),
    ("Callback", "callback"),
    ("Video", "video"),
    ("Message", "message"),
];

/// The normalized `conversations.media_type` of a contact: from the name
/// when there is one, else from the documented `mediaTypeId` codes.
pub(crate) fn media_type<'x>(name: Option<&'x str>, id: Option<i64>) -> Cow<'x, str> {
    if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
        if let Some((_, v)) = MEDIA_NAMES.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)) {
            return Cow::Borrowed(v);
        }
        return normalize_media_type(n);
    }
    Cow::Borrowed(match id {
        Some(1) => "email",
        Some(3) => "chat",
        Some(4) => "voice",
        Some(5) => "voicemail",
        Some(6) => "workitem",
        Some(7..=9) => "message",
        _ => "unknown",
    })
}

/// Receives validated contacts one at a time and appends the rows of the
/// ones this slice owns.
struct Sink<'w> {
    conv: ConversationColumns,
    contacts: ContactCols,
    window: (i64, i64),
    seen: &'w mut SeenIds,
    /// Keys this page added to `seen`, to undo them if the page is redone.
    added: Vec<u128>,
    stats: PageStats,
    /// Records read, good and bad.
    records: usize,
    /// A `completedContacts` array was read (a second one is ambiguous).
    had_records: bool,
    /// `resultSet` nesting level being read.
    depth: u8,
    /// Reused buffer for the id as text.
    id_text: String,
}

impl<'w> Sink<'w> {
    fn new(window: (i64, i64), seen: &'w mut SeenIds, body_len: usize) -> Self {
        // ~1.5 KB per compact record; builders grow past the hint if needed.
        let n = body_len / 1500 + 1;
        Sink {
            conv: ConversationColumns::new(n, 10),
            contacts: ContactCols::new(n),
            window,
            seen,
            added: Vec::new(),
            stats: PageStats::default(),
            records: 0,
            had_records: false,
            depth: 0,
            id_text: String::with_capacity(20),
        }
    }

    /// Validates `c`; then writes it, or counts it as out of window or duplicate.
    fn accept(&mut self, c: &Contact) -> Result<(), String> {
        let k = check(c)?;
        if k.start < self.window.0 || k.start >= self.window.1 {
            self.stats.out_of_window += 1;
            return Ok(());
        }
        self.id_text.clear();
        // Writing to a String cannot fail.
        let _ = write!(self.id_text, "{}", k.id);
        match self.seen.insert_undoable(&self.id_text) {
            None => {
                self.stats.duplicates += 1;
                return Ok(());
            }
            Some(key) => self.added.push(key),
        }
        self.stats.conversations += 1;
        if let Some(d) = k.duration_ms {
            self.stats.ended += 1;
            self.stats.duration_ms_sum += d;
        }
        append_conversation(&mut self.conv, &self.id_text, c, k);
        self.contacts.append(c, k);
        Ok(())
    }

    /// Forgets this page's ids again (the page will be redone).
    fn undo(self) {
        for key in self.added {
            self.seen.forget(key);
        }
    }

    fn finish(self) -> (Vec<TableBatch>, PageStats) {
        (vec![self.conv.finish(), self.contacts.finish()], self.stats)
    }
}

impl RecordSink for Sink<'_> {
    type Record<'de> = Contact<'de>;
    fn accept(&mut self, c: &Contact) -> Result<(), String> {
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
            contact_start_date: Option<&'a str>,
            /// The legacy spelling (fact sheet §3).
            #[serde(borrow)]
            contact_start: Option<&'a str>,
        }
        let start: Start = serde_json::from_str(raw).ok()?;
        crate::interval::parse_time(start.contact_start_date.or(start.contact_start)?).ok()
    }
}

/// One contact's row in the unified `conversations` table.
fn append_conversation(cols: &mut ConversationColumns, id: &str, c: &Contact, k: Checked) {
    cols.conversation_id.append_value(id);
    cols.started_at.append_value(k.start);
    cols.ended_at
        .append_option(k.duration_ms.map(|d| k.start + d * 1000));
    cols.duration_ms.append_option(k.duration_ms);
    cols.direction.append_option(
        c.is_outbound
            .0
            .map(|o| if o { "outbound" } else { "inbound" }),
    );
    cols.media_type
        .append_value(media_type(c.media_type_name.as_deref(), c.media_type_id.0));
    match c.skill_id.0.filter(|&s| s > 0) {
        Some(s) => cols.queue_id.append_value(s.to_string()),
        None => cols.queue_id.append_null(),
    }
    cols.queue_name.append_option(c.skill_name.as_deref());
    let agent = c.agent_id.0.filter(|&a| a > 0);
    if let Some(a) = agent {
        cols.agent_ids.values().append_value(a.to_string());
    }
    cols.agent_ids.append(true);
    cols.participant_count
        .append_value(1 + i32::from(agent.is_some()));
    let (agent_s, hold_s, acw_s) = (c.agent_seconds.0, c.hold_seconds.0, c.acw_seconds.0);
    let handle = (agent_s.is_some() || hold_s.is_some() || acw_s.is_some())
        .then(|| agent_s.unwrap_or(0.0) + hold_s.unwrap_or(0.0) + acw_s.unwrap_or(0.0));
    cols.handle_ms.append_option(ms(handle));
    cols.talk_ms.append_option(ms(agent_s));
    cols.hold_ms.append_option(ms(hold_s));
    cols.acw_ms.append_option(ms(acw_s));
    cols.queue_wait_ms.append_option(ms(c.in_queue_seconds.0));
    cols.abandoned.append_value(c.abandoned.0.unwrap_or(false));
    let transferred = c.transfer_indicator_id.0.is_some_and(|t| t > 0)
        || c.transfer_indicator_name
            .as_deref()
            .is_some_and(|n| !n.trim().eq_ignore_ascii_case("none"));
    cols.transferred.append_value(transferred);
    // Genesys-only columns.
    cols.division_ids.append(false);
    cols.external_tag.append_null();
}

/// `tags`: list<struct<tag_id, tag_name>>, with the list item field taken
/// from the declared schema so the built type matches it exactly.
fn tags_builder(n: usize) -> ListBuilder<StructBuilder> {
    let schema = Table::named("cxone_contacts").schema();
    let item = match schema.field_with_name("tags").map(|f| f.data_type()) {
        Ok(DataType::List(item)) => item.clone(),
        other => panic!("schemas/cxone_contacts.json: tags must be a list, found {other:?}"),
    };
    let fields = match item.data_type() {
        DataType::Struct(fields) => fields.clone(),
        other => panic!("schemas/cxone_contacts.json: tags items must be structs, found {other}"),
    };
    ListBuilder::with_capacity(StructBuilder::from_fields(fields, n), n).with_field(item)
}

fn append_tags(b: &mut ListBuilder<StructBuilder>, tags: &Option<Vec<Option<Tag>>>) {
    let Some(tags) = tags else {
        b.append(false);
        return;
    };
    let sb = b.values();
    for t in tags {
        let (id, name, valid) = match t {
            Some(t) => (t.tag_id.0, t.tag_name.as_deref(), true),
            None => (None, None, false),
        };
        // The builder was made from the declared struct<tag_id: int64,
        // tag_name: utf8>, so these downcasts cannot fail.
        sb.field_builder::<Int64Builder>(0)
            .expect("tag_id is int64")
            .append_option(id);
        sb.field_builder::<StringBuilder>(1)
            .expect("tag_name is utf8")
            .append_option(name);
        sb.append(valid);
    }
    b.append(true);
}

struct ContactCols {
    contact_id: Int64Builder,
    master_contact_id: Int64Builder,
    contact_start_date: TimestampMicrosecondBuilder,
    agent_id: Int64Builder,
    first_name: StringBuilder,
    last_name: StringBuilder,
    team_id: Int64Builder,
    team_name: StringBuilder,
    skill_id: Int64Builder,
    skill_name: StringBuilder,
    campaign_id: Int64Builder,
    campaign_name: StringBuilder,
    media_type_id: Int64Builder,
    media_type_name: StringBuilder,
    media_sub_type_id: Int64Builder,
    media_sub_type_name: StringBuilder,
    point_of_contact_id: Int64Builder,
    point_of_contact_name: StringBuilder,
    from_address: StringBuilder,
    to_address: StringBuilder,
    is_outbound: BooleanBuilder,
    is_refused: BooleanBuilder,
    is_short_abandon: BooleanBuilder,
    is_takeover: BooleanBuilder,
    is_logged: BooleanBuilder,
    is_analytics_processed: BooleanBuilder,
    abandoned: BooleanBuilder,
    abandon_seconds: Float64Builder,
    acw_seconds: Float64Builder,
    agent_seconds: Float64Builder,
    hold_seconds: Float64Builder,
    in_queue_seconds: Float64Builder,
    pre_queue_seconds: Float64Builder,
    post_queue_seconds: Float64Builder,
    release_seconds: Float64Builder,
    total_duration_seconds: Float64Builder,
    conference_seconds: Float64Builder,
    hold_count: Int64Builder,
    callback_time: Int64Builder,
    routing_time: Int64Builder,
    refuse_reason: StringBuilder,
    refuse_time: TimestampMicrosecondBuilder,
    service_level_flag: Int64Builder,
    transfer_indicator_id: Int64Builder,
    transfer_indicator_name: StringBuilder,
    primary_disposition_id: Int64Builder,
    secondary_disposition_id: Int64Builder,
    disposition_notes: StringBuilder,
    end_reason: StringBuilder,
    date_contact_warehoused: TimestampMicrosecondBuilder,
    date_acw_warehoused: TimestampMicrosecondBuilder,
    last_update_time: TimestampMicrosecondBuilder,
    analytics_processed_date: TimestampMicrosecondBuilder,
    routing_attribute: Int64Builder,
    high_proficiency: Int64Builder,
    low_proficiency: Int64Builder,
    division_no: Float64Builder,
    tags: ListBuilder<StructBuilder>,
}

impl ContactCols {
    fn new(n: usize) -> Self {
        let i = || Int64Builder::with_capacity(n);
        let f = || Float64Builder::with_capacity(n);
        let b = || BooleanBuilder::with_capacity(n);
        ContactCols {
            contact_id: i(),
            master_contact_id: i(),
            contact_start_date: timestamps(n),
            agent_id: i(),
            first_name: strings(n, 8),
            last_name: strings(n, 8),
            team_id: i(),
            team_name: strings(n, 12),
            skill_id: i(),
            skill_name: strings(n, 16),
            campaign_id: i(),
            campaign_name: strings(n, 16),
            media_type_id: i(),
            media_type_name: strings(n, 10),
            media_sub_type_id: i(),
            media_sub_type_name: strings(n, 0),
            point_of_contact_id: i(),
            point_of_contact_name: strings(n, 12),
            from_address: strings(n, 10),
            to_address: strings(n, 10),
            is_outbound: b(),
            is_refused: b(),
            is_short_abandon: b(),
            is_takeover: b(),
            is_logged: b(),
            is_analytics_processed: b(),
            abandoned: b(),
            abandon_seconds: f(),
            acw_seconds: f(),
            agent_seconds: f(),
            hold_seconds: f(),
            in_queue_seconds: f(),
            pre_queue_seconds: f(),
            post_queue_seconds: f(),
            release_seconds: f(),
            total_duration_seconds: f(),
            conference_seconds: f(),
            hold_count: i(),
            callback_time: i(),
            routing_time: i(),
            refuse_reason: strings(n, 0),
            refuse_time: timestamps(n),
            service_level_flag: i(),
            transfer_indicator_id: i(),
            transfer_indicator_name: strings(n, 4),
            primary_disposition_id: i(),
            secondary_disposition_id: i(),
            disposition_notes: strings(n, 0),
            end_reason: strings(n, 14),
            date_contact_warehoused: timestamps(n),
            date_acw_warehoused: timestamps(n),
            last_update_time: timestamps(n),
            analytics_processed_date: timestamps(n),
            routing_attribute: i(),
            high_proficiency: i(),
            low_proficiency: i(),
            division_no: f(),
            tags: tags_builder(n),
        }
    }

    fn append(&mut self, c: &Contact, k: Checked) {
        self.contact_id.append_value(k.id);
        self.master_contact_id.append_option(c.master_contact_id.0);
        self.contact_start_date.append_value(k.start);
        self.agent_id.append_option(c.agent_id.0);
        self.first_name.append_option(c.first_name.as_deref());
        self.last_name.append_option(c.last_name.as_deref());
        self.team_id.append_option(c.team_id.0);
        self.team_name.append_option(c.team_name.as_deref());
        self.skill_id.append_option(c.skill_id.0);
        self.skill_name.append_option(c.skill_name.as_deref());
        self.campaign_id.append_option(c.campaign_id.0);
        self.campaign_name.append_option(c.campaign_name.as_deref());
        self.media_type_id.append_option(c.media_type_id.0);
        self.media_type_name
            .append_option(c.media_type_name.as_deref());
        self.media_sub_type_id.append_option(c.media_sub_type_id.0);
        self.media_sub_type_name
            .append_option(c.media_sub_type_name.as_deref());
        self.point_of_contact_id
            .append_option(c.point_of_contact_id.0);
        self.point_of_contact_name
            .append_option(c.point_of_contact_name.as_deref());
        self.from_address.append_option(c.from_address.as_deref());
        self.to_address.append_option(c.to_address.as_deref());
        self.is_outbound.append_option(c.is_outbound.0);
        self.is_refused.append_option(c.is_refused.0);
        self.is_short_abandon.append_option(c.is_short_abandon.0);
        self.is_takeover.append_option(c.is_takeover.0);
        self.is_logged.append_option(c.is_logged.0);
        self.is_analytics_processed
            .append_option(c.is_analytics_processed.0);
        self.abandoned.append_option(c.abandoned.0);
        self.abandon_seconds.append_option(c.abandon_seconds.0);
        self.acw_seconds.append_option(c.acw_seconds.0);
        self.agent_seconds.append_option(c.agent_seconds.0);
        self.hold_seconds.append_option(c.hold_seconds.0);
        self.in_queue_seconds.append_option(c.in_queue_seconds.0);
        self.pre_queue_seconds.append_option(c.pre_queue_seconds.0);
        self.post_queue_seconds
            .append_option(c.post_queue_seconds.0);
        self.release_seconds.append_option(c.release_seconds.0);
        self.total_duration_seconds
            .append_option(c.total_duration_seconds.0);
        self.conference_seconds
            .append_option(c.conference_seconds.0);
        self.hold_count.append_option(c.hold_count.0);
        self.callback_time.append_option(c.callback_time.0);
        self.routing_time.append_option(c.routing_time.0);
        self.refuse_reason.append_option(c.refuse_reason.as_deref());
        self.refuse_time.append_option(ts(&c.refuse_time));
        self.service_level_flag
            .append_option(c.service_level_flag.0);
        self.transfer_indicator_id
            .append_option(c.transfer_indicator_id.0);
        self.transfer_indicator_name
            .append_option(c.transfer_indicator_name.as_deref());
        self.primary_disposition_id
            .append_option(c.primary_disposition_id.0);
        self.secondary_disposition_id
            .append_option(c.secondary_disposition_id.0);
        self.disposition_notes
            .append_option(c.disposition_notes.as_deref());
        self.end_reason.append_option(c.end_reason.as_deref());
        self.date_contact_warehoused
            .append_option(ts(&c.date_contact_warehoused));
        self.date_acw_warehoused
            .append_option(ts(&c.date_acw_warehoused));
        self.last_update_time.append_option(ts(&c.last_update_time));
        self.analytics_processed_date
            .append_option(ts(&c.analytics_processed_date));
        self.routing_attribute.append_option(c.routing_attribute.0);
        self.high_proficiency.append_option(c.high_proficiency.0);
        self.low_proficiency.append_option(c.low_proficiency.0);
        self.division_no.append_option(c.division_no.0);
        append_tags(&mut self.tags, &c.tags);
    }

    fn finish(self) -> TableBatch {
        make_batch(
            Table::named("cxone_contacts"),
            vec![
                ("contact_id", arr(self.contact_id)),
                ("master_contact_id", arr(self.master_contact_id)),
                ("contact_start_date", arr(self.contact_start_date)),
                ("agent_id", arr(self.agent_id)),
                ("first_name", arr(self.first_name)),
                ("last_name", arr(self.last_name)),
                ("team_id", arr(self.team_id)),
                ("team_name", arr(self.team_name)),
                ("skill_id", arr(self.skill_id)),
                ("skill_name", arr(self.skill_name)),
                ("campaign_id", arr(self.campaign_id)),
                ("campaign_name", arr(self.campaign_name)),
                ("media_type_id", arr(self.media_type_id)),
                ("media_type_name", arr(self.media_type_name)),
                ("media_sub_type_id", arr(self.media_sub_type_id)),
                ("media_sub_type_name", arr(self.media_sub_type_name)),
                ("point_of_contact_id", arr(self.point_of_contact_id)),
                ("point_of_contact_name", arr(self.point_of_contact_name)),
                ("from_address", arr(self.from_address)),
                ("to_address", arr(self.to_address)),
                ("is_outbound", arr(self.is_outbound)),
                ("is_refused", arr(self.is_refused)),
                ("is_short_abandon", arr(self.is_short_abandon)),
                ("is_takeover", arr(self.is_takeover)),
                ("is_logged", arr(self.is_logged)),
                ("is_analytics_processed", arr(self.is_analytics_processed)),
                ("abandoned", arr(self.abandoned)),
                ("abandon_seconds", arr(self.abandon_seconds)),
                ("acw_seconds", arr(self.acw_seconds)),
                ("agent_seconds", arr(self.agent_seconds)),
                ("hold_seconds", arr(self.hold_seconds)),
                ("in_queue_seconds", arr(self.in_queue_seconds)),
                ("pre_queue_seconds", arr(self.pre_queue_seconds)),
                ("post_queue_seconds", arr(self.post_queue_seconds)),
                ("release_seconds", arr(self.release_seconds)),
                ("total_duration_seconds", arr(self.total_duration_seconds)),
                ("conference_seconds", arr(self.conference_seconds)),
                ("hold_count", arr(self.hold_count)),
                ("callback_time", arr(self.callback_time)),
                ("routing_time", arr(self.routing_time)),
                ("refuse_reason", arr(self.refuse_reason)),
                ("refuse_time", arr(self.refuse_time)),
                ("service_level_flag", arr(self.service_level_flag)),
                ("transfer_indicator_id", arr(self.transfer_indicator_id)),
                ("transfer_indicator_name", arr(self.transfer_indicator_name)),
                ("primary_disposition_id", arr(self.primary_disposition_id)),
                (
                    "secondary_disposition_id",
                    arr(self.secondary_disposition_id),
                ),
                ("disposition_notes", arr(self.disposition_notes)),
                ("end_reason", arr(self.end_reason)),
                ("date_contact_warehoused", arr(self.date_contact_warehoused)),
                ("date_acw_warehoused", arr(self.date_acw_warehoused)),
                ("last_update_time", arr(self.last_update_time)),
                (
                    "analytics_processed_date",
                    arr(self.analytics_processed_date),
                ),
                ("routing_attribute", arr(self.routing_attribute)),
                ("high_proficiency", arr(self.high_proficiency)),
                ("low_proficiency", arr(self.low_proficiency)),
                ("division_no", arr(self.division_no)),
                ("tags", arr(self.tags)),
            ],
        )
    }
}

#[cfg(test)]
#[path = "transform_tests.rs"]
mod tests;
