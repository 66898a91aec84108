//! Tests of the CXone transform: inline records following the fact sheet
//! §3, plus the shared `sample_data/cxone/` pages when they exist.

use super::*;
use crate::transform::*;
use crate::vendors::cxone::model::{LenientBool, LenientF64, LenientI64, LenientText, Page};
use crate::Interval;
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};

fn window(start: &str, end: &str) -> Interval {
    Interval::parse(start, end).unwrap()
}

fn nov20() -> Interval {
    window("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")
}

fn us(s: &str) -> i64 {
    crate::transform::parse_timestamp_micros(s).unwrap()
}

/// A v34 completed contact with every documented field.
fn modern(id: i64, start: &str) -> String {
    format!(
        r#"{{"contactId":{id},"masterContactId":{id},"contactStartDate":"{start}","agentId":4101024,
"firstName":"Sophia","lastName":"Johnson","teamId":2200143,"teamName":"Back Office","skillId":11000106,
"skillName":"Retentions","campaignId":301001,"campaignName":"Customer Service","mediaTypeId":4,
"mediaTypeName":"Phone Call","mediaSubTypeId":null,"mediaSubTypeName":null,"pointOfContactId":8800201,
"pointOfContactName":"Main Line","fromAddress":"9015426132","toAddress":"8005550100","isOutbound":false,
"isRefused":false,"isShortAbandon":false,"isTakeover":true,"isLogged":true,"isAnalyticsProcessed":true,
"abandoned":false,"abandonSeconds":0.0,"acwSeconds":31.5,"agentSeconds":633.25,"holdSeconds":20.125,
"inQueueSeconds":27.5,"preQueueSeconds":62.5,"postQueueSeconds":633.25,"releaseSeconds":1.75,
"totalDurationSeconds":725.416,"conferenceSeconds":3.0,"holdCount":1,"callbackTime":0,"routingTime":465,
"refuseReason":"","refuseTime":"","serviceLevelFlag":1,"transferIndicatorId":0,"transferIndicatorName":"None",
"primaryDispositionId":700100,"secondaryDispositionId":0,"dispositionNotes":"call \"back\"","endReason":"Agent Hung Up",
"dateContactWarehoused":"2026-11-20T00:40:50.285Z","dateACWWarehoused":"2026-11-20T00:45:52.756Z",
"lastUpdateTime":"2026-11-20T00:45:52.756Z","analyticsProcessedDate":"2026-11-20T01:00:00.000Z",
"routingAttribute":2,"highProficiency":1,"lowProficiency":20,"divisionNo":0,
"tags":[{{"contactId":{id},"tagId":900014,"tagName":"Callback Requested"}},{{"contactId":{id},"tagId":900015,"tagName":"VIP"}}]}}"#
    )
}

/// The same contact as an older API version sends it: legacy spellings,
/// numbers and booleans as strings, `""` for nulls, a date without offset,
/// fields the v34 schema dropped, tags without the repeated contactId.
fn legacy(id: i64, start: &str) -> String {
    format!(
        r#"{{"contactId":"{id}","masterContactId":"{id}","contactStart":"{start}","agentId":"4101024",
"firstName":"Sophia","lastName":"Johnson","teamId":"2200143","teamName":"Back Office","skillId":"11000106",
"skillName":"Retentions","campaignId":301001,"campaignName":"Customer Service","mediaType":"4",
"mediaTypeName":"Phone Call","mediaSubTypeId":"","pointOfContactId":8800201,
"pointOfContactName":"Main Line","fromAddr":9015426132,"toAddr":"8005550100","isOutbound":"False",
"isRefused":"false","isShortAbandon":0,"isTakeover":"True","isLogged":"1","analyticsProcessed":"TRUE",
"abandoned":"False","abandonSeconds":"0","ACWSeconds":"31.5","agentSeconds":"633.25","holdSeconds":20.125,
"inQueueSeconds":"27.5","preQueueSeconds":62.5,"postQueueSeconds":"633.25","releaseSeconds":1.75,
"totalDurationSeconds":"725.416","confSeconds":"3","holdCount":"1","callbackTime":"0","routingTime":"465.0",
"refuseReason":null,"refuseTime":null,"serviceLevelFlag":"1","transferIndicatorId":"0","transferIndicatorName":"None",
"primaryDispositionId":"700100","secondaryDispositionId":"0","dispositionNotes":"call \"back\"","endReason":"Agent Hung Up",
"dateContactWarehoused":"2026-11-20T00:40:50.285","dateACWWarehoused":"2026-11-20T00:45:52.756Z",
"lastUpdateTime":"2026-11-20T02:45:52.756+02:00","analyticsProcessedDate":"2026-11-20T01:00:00Z",
"routingAttribute":"2","highProficiency":"1","lowProficiency":"20","divisionNo":"0",
"state":"EndContact","stateId":18,"isWarehoused":"True",
"tags":[{{"tagId":"900014","tagName":"Callback Requested"}},{{"tagId":900015,"tagName":"VIP"}}]}}"#
    )
}

fn page(records: &[String]) -> Vec<u8> {
    format!(
        r#"{{"totalRecords":{},"_links":{{"self":"https://api/x","next":null,"previous":null}},"businessUnitId":4600001,"lastPollTime":"2026-11-23T00:00:00.000Z","completedContacts":[{}]}}"#,
        records.len(),
        records.join(",")
    )
    .into_bytes()
}

fn run_with(body: &[u8], w: &Interval, seen: &mut SeenIds) -> PageOutput {
    let out = cxone_page(body, w, seen).unwrap();
    assert_schemas(&out);
    out
}

fn run(body: &[u8], w: &Interval) -> PageOutput {
    run_with(body, w, &mut SeenIds::new())
}

/// Both tables, in order, each in exactly the declared schema.
fn assert_schemas(out: &PageOutput) {
    let tables: Vec<Table> = out.batches.iter().map(|b| b.table).collect();
    assert_eq!(
        tables,
        super::super::connector::CONTACT_TABLES
            .map(Table::named)
            .to_vec()
    );
    for b in &out.batches {
        assert_eq!(b.batch.schema(), b.table.schema(), "{}", b.table);
    }
}

fn batch(out: &PageOutput, t: Table) -> &RecordBatch {
    &out.batches.iter().find(|b| b.table == t).unwrap().batch
}

fn col<'a>(out: &'a PageOutput, t: Table, name: &str) -> &'a dyn Array {
    batch(out, t)
        .column_by_name(name)
        .unwrap_or_else(|| panic!("{t}.{name}"))
        .as_ref()
}

fn strs(out: &PageOutput, t: Table, name: &str) -> Vec<Option<String>> {
    col(out, t, name)
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn i64s(out: &PageOutput, t: Table, name: &str) -> Vec<Option<i64>> {
    col(out, t, name)
        .as_primitive::<Int64Type>()
        .iter()
        .collect()
}

fn f64s(out: &PageOutput, t: Table, name: &str) -> Vec<Option<f64>> {
    col(out, t, name)
        .as_primitive::<Float64Type>()
        .iter()
        .collect()
}

fn tss(out: &PageOutput, t: Table, name: &str) -> Vec<Option<i64>> {
    col(out, t, name)
        .as_primitive::<TimestampMicrosecondType>()
        .iter()
        .collect()
}

fn bools(out: &PageOutput, t: Table, name: &str) -> Vec<Option<bool>> {
    col(out, t, name).as_boolean().iter().collect()
}

/// `list<utf8>` rows; `None` for a null list.
fn lists(out: &PageOutput, t: Table, name: &str) -> Vec<Option<Vec<Option<String>>>> {
    let l = col(out, t, name).as_list::<i32>();
    (0..l.len())
        .map(|i| {
            l.is_valid(i).then(|| {
                l.value(i)
                    .as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect()
            })
        })
        .collect()
}

/// `tags` rows as (tag_id, tag_name) pairs; a null element is (None, None).
type Tags = Option<Vec<(Option<i64>, Option<String>)>>;

fn tags(out: &PageOutput) -> Vec<Tags> {
    let l = col(out, Table::named("cxone_contacts"), "tags").as_list::<i32>();
    (0..l.len())
        .map(|i| {
            l.is_valid(i).then(|| {
                let v = l.value(i);
                let s = v.as_struct();
                let ids = s.column(0).as_primitive::<Int64Type>();
                let names = s.column(1).as_string::<i32>();
                (0..s.len())
                    .map(|j| {
                        (
                            ids.is_valid(j).then(|| ids.value(j)),
                            names.is_valid(j).then(|| names.value(j).to_string()),
                        )
                    })
                    .collect()
            })
        })
        .collect()
}

fn rows(out: &PageOutput, t: Table) -> usize {
    batch(out, t).num_rows()
}

fn sample(name: &str) -> Option<Vec<u8>> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data/cxone")
        .join(name);
    std::fs::read(p).ok()
}

#[test]
fn table_wiring() {
    let t = Table::named("cxone_contacts");
    assert_eq!(t.name(), "cxone_contacts");
    assert_eq!(Table::from_name("cxone_contacts"), Some(t));
    assert_eq!(t.natural_key(), ["contact_id".to_string()]);
    let s = t.schema();
    // The resliced-output code keys cxone_contacts rows by an int64 contact_id.
    let id = s.field_with_name("contact_id").unwrap();
    assert_eq!(id.data_type(), &arrow::datatypes::DataType::Int64);
    assert!(!id.is_nullable());
    assert!(!s
        .field_with_name("contact_start_date")
        .unwrap()
        .is_nullable());
    assert_eq!(t.time_column(), Some("contact_start_date"));
}

#[test]
fn maps_a_modern_contact_to_both_tables() {
    let out = run(
        &page(&[modern(5_000_000_020, "2026-11-20T00:22:45.753Z")]),
        &nov20(),
    );
    assert_eq!(out.meta.records, 1);
    assert_eq!(out.meta.total_hits, Some(1));
    assert_eq!(out.meta.cursor, None);
    assert!(out.quarantined.is_empty());
    let c = Table::named("conversations");
    let start = us("2026-11-20T00:22:45.753Z");
    assert_eq!(
        strs(&out, c, "conversation_id"),
        [Some("5000000020".into())]
    );
    assert_eq!(tss(&out, c, "started_at"), [Some(start)]);
    assert_eq!(i64s(&out, c, "duration_ms"), [Some(725_416)]);
    assert_eq!(tss(&out, c, "ended_at"), [Some(start + 725_416_000)]);
    assert_eq!(strs(&out, c, "direction"), [Some("inbound".into())]);
    assert_eq!(strs(&out, c, "media_type"), [Some("voice".into())]);
    assert_eq!(strs(&out, c, "queue_id"), [Some("11000106".into())]);
    assert_eq!(strs(&out, c, "queue_name"), [Some("Retentions".into())]);
    assert_eq!(
        lists(&out, c, "agent_ids"),
        [Some(vec![Some("4101024".into())])]
    );
    let pc = col(&out, c, "participant_count").as_primitive::<Int32Type>();
    assert_eq!(pc.value(0), 2);
    assert_eq!(i64s(&out, c, "handle_ms"), [Some(684_875)]);
    assert_eq!(i64s(&out, c, "talk_ms"), [Some(633_250)]);
    assert_eq!(i64s(&out, c, "hold_ms"), [Some(20_125)]);
    assert_eq!(i64s(&out, c, "acw_ms"), [Some(31_500)]);
    assert_eq!(i64s(&out, c, "queue_wait_ms"), [Some(27_500)]);
    assert_eq!(bools(&out, c, "abandoned"), [Some(false)]);
    assert_eq!(bools(&out, c, "transferred"), [Some(false)]);
    assert_eq!(lists(&out, c, "division_ids"), [None]);
    assert_eq!(strs(&out, c, "external_tag"), [None]);

    let k = Table::named("cxone_contacts");
    assert_eq!(i64s(&out, k, "contact_id"), [Some(5_000_000_020)]);
    assert_eq!(tss(&out, k, "contact_start_date"), [Some(start)]);
    assert_eq!(i64s(&out, k, "media_type_id"), [Some(4)]);
    assert_eq!(i64s(&out, k, "media_sub_type_id"), [None]);
    assert_eq!(strs(&out, k, "from_address"), [Some("9015426132".into())]);
    assert_eq!(bools(&out, k, "is_takeover"), [Some(true)]);
    assert_eq!(bools(&out, k, "is_analytics_processed"), [Some(true)]);
    assert_eq!(f64s(&out, k, "acw_seconds"), [Some(31.5)]);
    assert_eq!(f64s(&out, k, "conference_seconds"), [Some(3.0)]);
    assert_eq!(f64s(&out, k, "total_duration_seconds"), [Some(725.416)]);
    assert_eq!(f64s(&out, k, "division_no"), [Some(0.0)]);
    assert_eq!(i64s(&out, k, "routing_time"), [Some(465)]);
    // "" is a null, for text and for dates.
    assert_eq!(strs(&out, k, "refuse_reason"), [None]);
    assert_eq!(tss(&out, k, "refuse_time"), [None]);
    assert_eq!(
        strs(&out, k, "disposition_notes"),
        [Some("call \"back\"".into())]
    );
    assert_eq!(
        tss(&out, k, "date_acw_warehoused"),
        [Some(us("2026-11-20T00:45:52.756Z"))]
    );
    assert_eq!(
        tags(&out),
        [Some(vec![
            (Some(900_014), Some("Callback Requested".into())),
            (Some(900_015), Some("VIP".into())),
        ])]
    );
    assert_eq!(out.stats.conversations, 1);
    assert_eq!(out.stats.ended, 1);
    assert_eq!(out.stats.duration_ms_sum, 725_416);
}

#[test]
fn legacy_spellings_and_string_values_give_the_same_rows() {
    let id = 5_000_000_050;
    let start = "2026-11-20T01:05:34.503Z";
    let a = run(&page(&[modern(id, start)]), &nov20());
    let b = run(&page(&[legacy(id, start)]), &nov20());
    assert!(b.quarantined.is_empty(), "{:?}", b.quarantined);
    for (x, y) in a.batches.iter().zip(&b.batches) {
        assert_eq!(x.batch.num_rows(), 1);
        for (f, (cx, cy)) in x
            .batch
            .schema()
            .fields()
            .iter()
            .zip(x.batch.columns().iter().zip(y.batch.columns()))
        {
            assert_eq!(cx, cy, "{}.{} differs", x.table, f.name());
        }
    }
    assert_eq!(a.stats, b.stats);
}

#[test]
fn legacy_record_of_the_sample_page_maps_like_modern_ones() {
    let Some(body) = sample("completed_contacts_page.json") else {
        return;
    };
    let out = run(&body, &nov20());
    assert!(out.quarantined.is_empty(), "{:?}", out.quarantined);
    assert_eq!(out.meta.records, 3);
    assert_eq!(out.meta.total_hits, Some(3));
    let c = Table::named("conversations");
    assert_eq!(
        strs(&out, c, "conversation_id"),
        [
            Some("5000000020".into()),
            Some("5000000050".into()),
            Some("5000000539".into())
        ]
    );
    // The legacy record: "268" seconds, "False" outbound, ACWSeconds "90".
    assert_eq!(
        i64s(&out, c, "duration_ms"),
        [Some(725_416), Some(268_000), Some(34_585)]
    );
    assert_eq!(strs(&out, c, "direction")[1].as_deref(), Some("inbound"));
    assert_eq!(strs(&out, c, "media_type")[1].as_deref(), Some("voice"));
    assert_eq!(i64s(&out, c, "acw_ms")[1], Some(90_000));
    let k = Table::named("cxone_contacts");
    assert_eq!(i64s(&out, k, "media_type_id")[1], Some(4));
    assert_eq!(
        strs(&out, k, "from_address")[1].as_deref(),
        Some("8654798141")
    );
    assert_eq!(i64s(&out, k, "service_level_flag")[1], Some(1));
    assert_eq!(
        tss(&out, k, "contact_start_date")[1],
        Some(us("2026-11-20T01:05:34.503Z"))
    );
    // The abandoned call: no agent, no skill.
    assert_eq!(lists(&out, c, "agent_ids")[2], Some(vec![]));
    assert_eq!(strs(&out, c, "queue_id")[2], None);
    assert_eq!(strs(&out, c, "queue_name")[2], None);
    assert_eq!(bools(&out, c, "abandoned")[2], Some(true));
    assert_eq!(i64s(&out, k, "agent_id")[2], None);
    assert_eq!(strs(&out, k, "first_name")[2], None);
    assert_eq!(
        tags(&out),
        [
            Some(vec![(Some(900_014), Some("Callback Requested".into()))]),
            Some(vec![]),
            Some(vec![])
        ]
    );
    assert_eq!(out.stats.duration_ms_sum, 725_416 + 268_000 + 34_585);
}

#[test]
fn contact_ids_beyond_32_bits_and_as_digit_strings() {
    let big = 9_007_199_254_740_993_i64; // > 2^53 too: must not go through f64
    let body = page(&[
        modern(2_789_879_875, "2026-11-20T01:00:00Z"),
        modern(big, "2026-11-20T02:00:00Z").replace(
            &format!("\"contactId\":{big}"),
            &format!("\"contactId\":\"{big}\""),
        ),
    ]);
    let out = run(&body, &nov20());
    assert!(out.quarantined.is_empty(), "{:?}", out.quarantined);
    assert_eq!(
        i64s(&out, Table::named("cxone_contacts"), "contact_id"),
        [Some(2_789_879_875), Some(big)]
    );
    assert_eq!(
        strs(&out, Table::named("conversations"), "conversation_id"),
        [Some("2789879875".into()), Some(big.to_string())]
    );
}

#[test]
fn tags_absent_null_empty_and_with_null_elements() {
    let base = modern(1, "2026-11-20T01:00:00Z");
    let tag_part = base[base.find(",\n\"tags\"").unwrap()..].to_string();
    let with = |tags: &str, id: i64| {
        base.replace(&tag_part, &format!("{tags}}}"))
            .replace("\"contactId\":1,", &format!("\"contactId\":{id},"))
    };
    let body = page(&[
        with("", 1),
        with(r#","tags":null"#, 2),
        with(r#","tags":[]"#, 3),
        with(
            r#","tags":[null,{"tagId":"7"},{"tagName":"x","extra":[1]}]"#,
            4,
        ),
    ]);
    let out = run(&body, &nov20());
    assert!(out.quarantined.is_empty(), "{:?}", out.quarantined);
    assert_eq!(
        tags(&out),
        [
            None,
            None,
            Some(vec![]),
            Some(vec![
                (None, None),
                (Some(7), None),
                (None, Some("x".into()))
            ])
        ]
    );
    let l = col(&out, Table::named("cxone_contacts"), "tags").as_list::<i32>();
    assert!(l.value(3).is_null(0) && l.value(3).is_valid(1));
}

#[test]
fn media_types_normalize_to_the_shared_vocabulary() {
    for (name, want) in [
        ("Phone Call", "voice"),
        ("phone call", "voice"),
        ("PhoneCall", "voice"),
        ("Voice Mail", "voicemail"),
        ("Chat", "chat"),
        ("Email", "email"),
        ("E-Mail", "email"),
        ("SMS", "message"),
        ("Work Item", "workitem"),
        ("Work Time", "workitem"),
        ("Social", "message"),
        ("Digital", "message"),
        ("Hologram", "hologram"),
    ] {
        assert_eq!(media_type(Some(name), Some(4)), want, "{name}");
    }
    for (id, want) in [
        (1, "email"),
        (3, "chat"),
        (4, "voice"),
        (5, "voicemail"),
        (6, "workitem"),
        (7, "message"),
        (8, "message"),
        (9, "message"),
        (2, "unknown"),
    ] {
        assert_eq!(media_type(None, Some(id)), want, "{id}");
        assert_eq!(media_type(Some("  "), Some(id)), want, "{id}");
    }
    assert_eq!(media_type(None, None), "unknown");

    // Through the transform: the name wins; the id is the fallback.
    let r = |id: i64, name: &str, type_id: &str| {
        modern(id, "2026-11-20T01:00:00Z")
            .replace("\"mediaTypeName\":\"Phone Call\"", name)
            .replace("\"mediaTypeId\":4", type_id)
    };
    let body = page(&[
        r(1, r#""mediaTypeName":"Chat""#, r#""mediaTypeId":3"#),
        r(2, r#""mediaTypeName":null"#, r#""mediaTypeId":1"#),
        r(3, r#""mediaTypeName":"""#, r#""mediaType":"7""#),
        r(4, r#""other":1"#, r#""other2":2"#),
    ]);
    let out = run(&body, &nov20());
    assert_eq!(
        strs(&out, Table::named("conversations"), "media_type"),
        [
            Some("chat".into()),
            Some("email".into()),
            Some("message".into()),
            Some("unknown".into())
        ]
    );
}

#[test]
fn direction_transfer_and_missing_measures() {
    let r = |id: i64, edits: &[(&str, &str)]| {
        let mut s = modern(id, "2026-11-20T01:00:00Z");
        for (from, to) in edits {
            assert!(s.contains(from), "{from}");
            s = s.replace(from, to);
        }
        s
    };
    let body = page(&[
        r(1, &[("\"isOutbound\":false", "\"isOutbound\":true")]),
        r(
            2,
            &[
                ("\"isOutbound\":false", "\"isOutbound\":null"),
                ("\"transferIndicatorId\":0", "\"transferIndicatorId\":2"),
            ],
        ),
        r(
            3,
            &[(
                "\"transferIndicatorName\":\"None\"",
                "\"transferIndicatorName\":\"ReSkill\"",
            )],
        ),
        r(
            4,
            &[
                (
                    "\"totalDurationSeconds\":725.416",
                    "\"totalDurationSeconds\":null",
                ),
                ("\"agentSeconds\":633.25", "\"agentSeconds\":\"\""),
                ("\"holdSeconds\":20.125", "\"x\":0"),
                ("\"acwSeconds\":31.5", "\"y\":0"),
                ("\"agentId\":4101024", "\"agentId\":0"),
                ("\"abandoned\":false", "\"abandoned\":null"),
            ],
        ),
    ]);
    let out = run(&body, &nov20());
    let c = Table::named("conversations");
    assert_eq!(
        strs(&out, c, "direction"),
        [
            Some("outbound".into()),
            None,
            Some("inbound".into()),
            Some("inbound".into())
        ]
    );
    assert_eq!(
        bools(&out, c, "transferred"),
        [Some(false), Some(true), Some(true), Some(false)]
    );
    assert_eq!(i64s(&out, c, "duration_ms")[3], None);
    assert_eq!(tss(&out, c, "ended_at")[3], None);
    assert_eq!(i64s(&out, c, "handle_ms")[3], None);
    assert_eq!(i64s(&out, c, "talk_ms")[3], None);
    assert_eq!(lists(&out, c, "agent_ids")[3], Some(vec![]));
    let pc = col(&out, c, "participant_count").as_primitive::<Int32Type>();
    assert_eq!((pc.value(0), pc.value(3)), (2, 1));
    assert_eq!(bools(&out, c, "abandoned")[3], Some(false));
    assert_eq!(
        bools(&out, Table::named("cxone_contacts"), "abandoned")[3],
        None
    );
    assert_eq!(out.stats.conversations, 4);
    assert_eq!(out.stats.ended, 3);
    assert_eq!(out.stats.duration_ms_sum, 3 * 725_416);
}

#[test]
fn ownership_and_dedupe_are_counted() {
    let body = page(&[
        modern(1, "2026-11-19T23:59:59.999Z"), // before the window
        modern(2, "2026-11-20T00:00:00.000Z"), // at its start: owned
        modern(3, "2026-11-21T00:00:00.000Z"), // at its end: not owned
        modern(2, "2026-11-20T00:00:00.000Z"), // repeated in the page
        modern(4, "2026-11-20T23:59:59.999Z"),
    ]);
    let mut seen = SeenIds::new();
    let out = run_with(&body, &nov20(), &mut seen);
    assert_eq!(
        i64s(&out, Table::named("cxone_contacts"), "contact_id"),
        [Some(2), Some(4)]
    );
    assert_eq!(out.stats.out_of_window, 2);
    assert_eq!(out.stats.duplicates, 1);
    assert_eq!(out.stats.conversations, 2);
    assert_eq!(out.meta.records, 5);
    // The next page of the same slice repeats contact 4 (offset drift).
    let next = page(&[
        modern(4, "2026-11-20T23:59:59.999Z"),
        modern(5, "2026-11-20T12:00:00Z"),
    ]);
    let out = run_with(&next, &nov20(), &mut seen);
    assert_eq!(
        i64s(&out, Table::named("cxone_contacts"), "contact_id"),
        [Some(5)]
    );
    assert_eq!(out.stats.duplicates, 1);
    assert_eq!(seen.len(), 3);
}

#[test]
fn bad_records_are_quarantined_with_precise_reasons() {
    let good = |id: i64| modern(id, "2026-11-20T01:00:00Z");
    let bad = |id: i64, from: &str, to: &str| {
        let s = good(id);
        assert!(s.contains(from), "{from}");
        s.replace(from, to)
    };
    let body = page(&[
        good(1),
        bad(2, "\"contactId\":2,", ""),
        bad(3, "\"contactId\":3,", "\"contactId\":\"C-3\","),
        bad(4, "2026-11-20T01:00:00Z", "yesterday"),
        bad(5, "\"contactStartDate\":\"2026-11-20T01:00:00Z\",", ""),
        bad(
            6,
            "\"totalDurationSeconds\":725.416",
            "\"totalDurationSeconds\":{\"value\":1}",
        ),
        bad(7, "\"isOutbound\":false", "\"isOutbound\":\"maybe\""),
        bad(
            8,
            "\"lastUpdateTime\":\"2026-11-20T00:45:52.756Z\"",
            "\"lastUpdateTime\":\"soon\"",
        ),
        bad(
            9,
            "\"totalDurationSeconds\":725.416",
            "\"totalDurationSeconds\":-1",
        ),
        bad(10, "\"agentId\":4101024", "\"agentId\":[1]"),
        bad(
            11,
            "\"contactStartDate\"",
            "\"contactStart\":\"2026-11-20T01:00:00Z\",\"contactStartDate\"",
        ),
        "null".to_string(),
        "42".to_string(),
        good(12),
    ]);
    let mut seen = SeenIds::new();
    let out = run_with(&body, &nov20(), &mut seen);
    assert_eq!(out.meta.records, 14, "records counts bad records too");
    assert_eq!(
        i64s(&out, Table::named("cxone_contacts"), "contact_id"),
        [Some(1), Some(12)]
    );
    assert_eq!(rows(&out, Table::named("conversations")), 2);
    assert_eq!(seen.len(), 2);
    let reasons: Vec<&str> = out.quarantined.iter().map(|q| q.reason.as_str()).collect();
    let expect: [(&str, &[&str]); 12] = [
        ("completedContacts[1]:", &["contactId is missing"]),
        ("completedContacts[2]:", &["field `contactId`", "\"C-3\""]),
        (
            "completedContacts[3]:",
            &["contact 4: contactStartDate", "\"yesterday\""],
        ),
        (
            "completedContacts[4]:",
            &["contact 5: contactStartDate: missing"],
        ),
        (
            "completedContacts[5]:",
            &["field `totalDurationSeconds`", "map"],
        ),
        (
            "completedContacts[6]:",
            &["field `isOutbound`", "\"maybe\""],
        ),
        (
            "completedContacts[7]:",
            &["contact 8: lastUpdateTime", "\"soon\""],
        ),
        (
            "completedContacts[8]:",
            &["contact 9: totalDurationSeconds", "out of range"],
        ),
        ("completedContacts[9]:", &["field `agentId`", "sequence"]),
        (
            "completedContacts[10]:",
            &["duplicate field `contactStartDate`"],
        ),
        ("completedContacts[11]:", &["not a JSON object"]),
        ("completedContacts[12]:", &["not a JSON object"]),
    ];
    assert_eq!(reasons.len(), expect.len(), "{reasons:#?}");
    for (r, (prefix, parts)) in reasons.iter().zip(expect) {
        assert!(r.starts_with(prefix), "{r}");
        for p in parts {
            assert!(r.contains(p), "{r:?} lacks {p:?}");
        }
    }
    // The raw record is kept verbatim.
    assert!(out.quarantined[1].raw.contains("\"contactId\":\"C-3\""));
    assert_eq!(out.quarantined[10].raw, "null");
    // Good rows are identical to a clean page's.
    let clean = run(&page(&[good(1), good(12)]), &nov20());
    for (x, y) in out.batches.iter().zip(&clean.batches) {
        assert_eq!(x.batch, y.batch, "{}", x.table);
    }
    assert_eq!(out.stats, clean.stats);
}

#[test]
fn the_shared_bad_records_page() {
    let Some(body) = sample("completed_contacts_bad_records.json") else {
        return;
    };
    let out = run(&body, &nov20());
    assert_eq!(out.meta.records, 5);
    assert_eq!(out.meta.total_hits, Some(5));
    assert_eq!(
        i64s(&out, Table::named("cxone_contacts"), "contact_id"),
        [Some(5_000_000_020)]
    );
    let reasons: Vec<&str> = out.quarantined.iter().map(|q| q.reason.as_str()).collect();
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert!(
        reasons[0].contains("contactId is missing"),
        "{}",
        reasons[0]
    );
    assert!(reasons[1].contains("contactStartDate") && reasons[1].contains("not-a-date"));
    assert!(
        reasons[2].contains("field `totalDurationSeconds`"),
        "{}",
        reasons[2]
    );
    assert!(reasons[3].contains("field `contactId`"), "{}", reasons[3]);
    for q in &out.quarantined {
        assert!(serde_json::from_str::<serde_json::Value>(&q.raw).is_ok());
    }
}

#[test]
fn result_set_envelope_and_empty_pages() {
    let records = [
        modern(1, "2026-11-20T01:00:00Z"),
        modern(2, "2026-11-20T02:00:00Z"),
    ];
    let wrapped = format!(
        r#"{{"resultSet":{{"_links":{{"self":"x"}},"totalRecords":"2","businessUnitId":"4600001","lastPollTime":"2026-11-23T00:00:00.000Z","completedContacts":[{}]}}}}"#,
        records.join(",")
    );
    let a = run(wrapped.as_bytes(), &nov20());
    let b = run(&page(&records), &nov20());
    assert_eq!(a.meta.records, 2);
    assert_eq!(a.meta.total_hits, Some(2));
    for (x, y) in a.batches.iter().zip(&b.batches) {
        assert_eq!(x.batch, y.batch, "{}", x.table);
    }
    // The slow path reads the wrapper too.
    let with_bad = wrapped.replace("\"contactId\":2,", "\"contactId\":{},");
    let c = run(with_bad.as_bytes(), &nov20());
    assert_eq!((c.meta.records, c.quarantined.len()), (2, 1));
    assert_eq!(c.meta.total_hits, Some(2));

    for empty in [
        "{}",
        r#"{"completedContacts":null}"#,
        r#"{"completedContacts":[],"totalRecords":0}"#,
        r#"{"resultSet":{}}"#,
    ] {
        let out = run(empty.as_bytes(), &nov20());
        assert_eq!(out.meta.records, 0, "{empty}");
        assert!(out.batches.iter().all(|b| b.batch.num_rows() == 0));
    }
    for malformed in [
        "",
        "  ",
        "[]",
        "not json",
        r#"{"completedContacts":{}}"#,
        r#"{"completedContacts":[],"resultSet":{"completedContacts":[]}}"#,
        r#"{"completedContacts":[] "#,
    ] {
        assert!(
            cxone_page(malformed.as_bytes(), &nov20(), &mut SeenIds::new()).is_err(),
            "{malformed:?}"
        );
    }
}

#[test]
fn the_typed_page_model_reads_both_envelopes() {
    let rec = legacy(7, "2026-11-20T01:00:00Z");
    let wrapped = format!(r#"{{"resultSet":{{"totalRecords":1,"completedContacts":[{rec}]}}}}"#);
    let p: Page = serde_json::from_str(&wrapped).unwrap();
    let inner = p.result_set.unwrap();
    let c = &inner.completed_contacts.as_ref().unwrap()[0];
    assert_eq!(c.contact_id, LenientI64(Some(7)));
    assert_eq!(c.is_outbound, LenientBool(Some(false)));
    assert_eq!(c.acw_seconds, LenientF64(Some(31.5)));
    assert_eq!(c.from_address.as_deref(), Some("9015426132"));
    assert_eq!(c.media_type_id, LenientI64(Some(4)));
    assert_eq!(c.refuse_reason, LenientText(None));
}

#[test]
fn lenient_scalars() {
    let i = |s: &str| serde_json::from_str::<LenientI64>(s).map(|v| v.0);
    assert_eq!(i("187").unwrap(), Some(187));
    assert_eq!(i("\"187\"").unwrap(), Some(187));
    assert_eq!(i("\" 187 \"").unwrap(), Some(187));
    assert_eq!(i("\"465.0\"").unwrap(), Some(465));
    assert_eq!(i("2.0").unwrap(), Some(2));
    assert_eq!(i("\"\"").unwrap(), None);
    assert_eq!(i("null").unwrap(), None);
    assert_eq!(i("\"9223372036854775807\"").unwrap(), Some(i64::MAX));
    for bad in [
        "2.5",
        "\"abc\"",
        "true",
        "{}",
        "[]",
        "18446744073709551615",
        "\"1e300\"",
    ] {
        assert!(i(bad).is_err(), "{bad}");
    }
    let f = |s: &str| serde_json::from_str::<LenientF64>(s).map(|v| v.0);
    assert_eq!(f("\"268\"").unwrap(), Some(268.0));
    assert_eq!(f("0.5").unwrap(), Some(0.5));
    assert_eq!(f("3").unwrap(), Some(3.0));
    assert_eq!(f("\"\"").unwrap(), None);
    for bad in ["\"NaN\"", "\"inf\"", "\"x\"", "false", "{}"] {
        assert!(f(bad).is_err(), "{bad}");
    }
    let b = |s: &str| serde_json::from_str::<LenientBool>(s).map(|v| v.0);
    for (s, want) in [
        ("true", Some(true)),
        ("\"True\"", Some(true)),
        ("\"TRUE\"", Some(true)),
        ("\"1\"", Some(true)),
        ("1", Some(true)),
        ("false", Some(false)),
        ("\"False\"", Some(false)),
        ("\"0\"", Some(false)),
        ("0", Some(false)),
        ("\"\"", None),
        ("null", None),
    ] {
        assert_eq!(b(s).unwrap(), want, "{s}");
    }
    for bad in ["2", "\"yes please\"", "[]", "0.5"] {
        assert!(b(bad).is_err(), "{bad}");
    }
}

#[test]
fn strings_are_borrowed_from_the_page() {
    let body = modern(1, "2026-11-20T01:00:00Z");
    let c: Contact = serde_json::from_str(&body).unwrap();
    assert!(c.skill_name.0.as_ref().unwrap().is_borrowed());
    // Escaped text has to be unescaped into an owned string.
    assert!(!c.disposition_notes.0.as_ref().unwrap().is_borrowed());
}

/// A clean page must not fall back to the per-record path (which parses
/// everything twice); the fast path alone must accept it.
#[test]
fn clean_pages_take_the_fast_path() {
    let mut bodies = vec![
        page(&[
            modern(1, "2026-11-20T01:00:00Z"),
            legacy(2, "2026-11-20T02:00:00Z"),
        ]),
        format!(
            r#"{{"resultSet":{{"totalRecords":1,"completedContacts":[{}]}}}}"#,
            modern(3, "2026-11-20T01:00:00Z")
        )
        .into_bytes(),
    ];
    bodies.extend(sample("completed_contacts_page.json"));
    for body in bodies {
        let body = std::str::from_utf8(&body).unwrap();
        let mut seen = SeenIds::new();
        let w = nov20();
        let mut sink = Sink::new(
            (w.start().timestamp_micros(), w.end().timestamp_micros()),
            &mut seen,
            body.len(),
        );
        let mut de = serde_json::Deserializer::from_str(body);
        let env = PageSeed { sink: &mut sink }.deserialize(&mut de);
        assert!(env.is_ok(), "{:?}", env.err());
    }
}

/// `cargo test --release --lib transform::cxone::tests::throughput -- --ignored --nocapture`
#[test]
#[ignore = "measurement, run in release"]
fn throughput() {
    use std::time::Instant;
    // Pages of 1000 compact records (what the API sends), 1 in 10 legacy.
    let pages: Vec<Vec<u8>> = (0..20)
        .map(|p| {
            let recs: Vec<String> = (0..1000)
                .map(|i| {
                    let id = 5_000_000_000 + p * 1000 + i;
                    let start =
                        format!("2026-11-20T{:02}:{:02}:{:02}.123Z", i % 24, i % 60, p % 60);
                    let r = if i % 10 == 0 {
                        legacy(id, &start)
                    } else {
                        modern(id, &start)
                    };
                    r.replace('\n', "")
                })
                .collect();
            page(&recs)
        })
        .collect();
    let n = (pages.len() * 1000) as f64;
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let w = nov20();
    let best = |f: &dyn Fn()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let full = best(&|| {
        let mut seen = SeenIds::new();
        for b in &pages {
            let out = cxone_page(b, &w, &mut seen).unwrap();
            assert_eq!(out.stats.conversations, 1000);
        }
    });
    let typed = best(&|| {
        for b in &pages {
            let p: Page = serde_json::from_slice(b).unwrap();
            std::hint::black_box(p);
        }
    });
    let skim = best(&|| {
        for b in &pages {
            let v: serde::de::IgnoredAny = serde_json::from_slice(b).unwrap();
            std::hint::black_box(v);
        }
    });
    println!(
        "cxone parse+build: {:.0} contacts/s ({:.0} MB/s), {} B/contact; typed parse only {:.0}/s; JSON skim {:.0}/s",
        n / full,
        bytes as f64 / full / 1e6,
        bytes / pages.len() / 1000,
        n / typed,
        n / skim
    );
}

/// The column names are exactly the snake_case of the model's JSON names
/// (CONTRACT v2), read from serde's own field list so they cannot drift.
#[test]
fn columns_are_the_snake_case_of_the_v34_field_names() {
    // serde lists the aliases too: the legacy spellings of fact sheet §3.
    const LEGACY: [&str; 7] = [
        "contactStart",
        "mediaType",
        "fromAddr",
        "toAddr",
        "analyticsProcessed",
        "ACWSeconds",
        "confSeconds",
    ];
    let fields = serde_field_names::<Contact>();
    assert!(LEGACY.iter().all(|l| fields.contains(l)));
    assert!(fields.contains(&"contactStartDate") && fields.contains(&"dateACWWarehoused"));
    let expected: Vec<String> = fields
        .iter()
        .filter(|f| !LEGACY.contains(f))
        .map(|f| snake_case(f))
        .collect();
    let schema = Table::named("cxone_contacts").schema();
    let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(columns, expected);
    assert_eq!(snake_case("dateACWWarehoused"), "date_acw_warehoused");
    assert_eq!(snake_case("contactId"), "contact_id");
}

/// `fooBarBaz` → `foo_bar_baz`; an acronym is one word (`ACWSeconds` → `acw_seconds`).
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The JSON field names serde expects for `T`, in declaration order: a
/// deserializer that only records what `deserialize_struct` is told.
fn serde_field_names<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
    struct Names(std::cell::Cell<&'static [&'static str]>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> serde::Deserializer<'de> for &Names {
        type Error = Stop;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0.set(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let names = Names(std::cell::Cell::new(&[]));
    let _ = T::deserialize(&names);
    names.0.get()
}
