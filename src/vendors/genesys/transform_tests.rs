//! Tests of the Genesys transform: inline pages following the fact sheet §4,
//! plus the shared `sample_data/genesys/` pages when they exist.

use super::*;
use crate::transform::*;
use crate::vendors::genesys::model::{Page, Text};
use arrow::array::{
    Array, AsArray, BooleanArray, Int32Array, Int64Array, ListArray, MapArray, StringArray,
    TimestampMicrosecondArray,
};
use std::borrow::Cow;

fn window(start: &str, end: &str) -> crate::Interval {
    crate::Interval::parse(start, end).unwrap()
}

fn day() -> crate::Interval {
    window("2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z")
}

fn us(s: &str) -> i64 {
    parse_timestamp_micros(s).unwrap()
}

/// A realistic voice conversation (customer → IVR → ACD → agent) of about
/// 4.7 KB, with the unmapped fields Genesys also sends. `end` = None makes it
/// ongoing.
pub(super) fn conversation(id: &str, start: &str, end: Option<&str>) -> String {
    let end_field = end
        .map(|e| format!(r#""conversationEnd":"{e}","#))
        .unwrap_or_default();
    let seg_end = end.unwrap_or("2026-11-23T10:20:00.000Z");
    format!(
        r#"{{"conversationId":"{id}","conversationStart":"{start}",{end_field}"originatingDirection":"inbound",
"divisionIds":["d1a2b3c4-0000-4000-8000-000000000001"],"externalTag":"tag-{id}","mediaStatsMinConversationMos":4.41,
"mediaStatsMinConversationRFactor":89.2,"conversationInitiator":"customer","customerParticipation":true,
"participants":[
 {{"participantId":"p-cust-{id}","participantName":"Mobile 555","purpose":"customer","sessions":[
  {{"sessionId":"s-cust-{id}","mediaType":"voice","direction":"inbound","ani":"tel:+15555550100","dnis":"tel:+18005550199",
   "sessionDnis":"tel:+18005550199","edgeId":"e0e0e0e0-0000-4000-8000-000000000001","provider":"Edge","protocolCallId":"abc123@10.0.0.1",
   "remote":"Mobile 555","recording":true,
   "mediaEndpointStats":[{{"codecs":["opus"],"minMos":4.41,"minRFactor":89.2,"maxLatencyMs":40,"receivedPackets":5120,"eventTime":"{start}"}}],
   "segments":[
    {{"segmentStart":"{start}","segmentEnd":"2026-11-23T10:00:20.000Z","segmentType":"system","conference":false}},
    {{"segmentStart":"2026-11-23T10:00:20.000Z","segmentEnd":"2026-11-23T10:01:00.000Z","segmentType":"interact","queueId":"q-sales","conference":false}},
    {{"segmentStart":"2026-11-23T10:01:00.000Z","segmentEnd":"{seg_end}","segmentType":"interact","queueId":"q-sales","disconnectType":"endpoint","conference":false,"sipResponseCodes":[200]}}],
   "metrics":[{{"name":"nConnected","value":1,"emitDate":"{start}"}},{{"name":"tAcd","value":40000,"emitDate":"2026-11-23T10:01:00.000Z"}}]}}]}},
 {{"participantId":"p-ivr-{id}","participantName":"Main IVR","purpose":"ivr","sessions":[
  {{"sessionId":"s-ivr-{id}","mediaType":"voice","direction":"inbound","ani":"tel:+15555550100","dnis":"tel:+18005550199",
   "flow":{{"flowId":"f-1","flowName":"Main Menu","flowType":"INBOUNDCALL","flowVersion":"12.0","entryReason":"tel:+18005550199",
     "entryType":"dnis","exitReason":"TRANSFER","transferType":"ACD","transferTargetName":"Sales","issuedCallback":false,
     "outcomes":[{{"flowOutcome":"Menu","flowOutcomeId":"o1","flowOutcomeValue":"SUCCESS"}}]}},
   "segments":[{{"segmentStart":"{start}","segmentEnd":"2026-11-23T10:00:20.000Z","segmentType":"ivr","disconnectType":"transfer"}}],
   "metrics":[{{"name":"tIvr","value":20000,"emitDate":"2026-11-23T10:00:20.000Z"}}]}}]}},
 {{"participantId":"p-acd-{id}","participantName":"Sales","purpose":"acd","sessions":[
  {{"sessionId":"s-acd-{id}","mediaType":"voice","direction":"inbound","usedRouting":"Standard","requestedRoutings":["Standard"],
   "segments":[{{"segmentStart":"2026-11-23T10:00:20.000Z","segmentEnd":"2026-11-23T10:01:00.000Z","segmentType":"interact",
     "queueId":"q-sales","requestedRoutingSkillIds":["sk-1","sk-2"],"disconnectType":"transfer"}}],
   "metrics":[{{"name":"nOffered","value":1,"emitDate":"2026-11-23T10:00:20.000Z"}},{{"name":"tAcd","value":40000,"emitDate":"2026-11-23T10:01:00.000Z"}}]}}]}},
 {{"participantId":"p-agent-{id}","participantName":"Ada Agent","purpose":"agent","userId":"u-ada","teamId":"t-1","sessions":[
  {{"sessionId":"s-agent-{id}","mediaType":"voice","direction":"inbound","ani":"tel:+15555550100","dnis":"tel:+18005550199",
   "peerId":"s-cust-{id}","recording":true,"acwSkipped":false,"selectedAgentId":"u-ada","mediaCount":1,
   "segments":[
    {{"segmentStart":"2026-11-23T10:01:00.000Z","segmentEnd":"2026-11-23T10:01:05.000Z","segmentType":"alert","queueId":"q-sales"}},
    {{"segmentStart":"2026-11-23T10:01:05.000Z","segmentEnd":"2026-11-23T10:05:00.000Z","segmentType":"interact","queueId":"q-sales"}},
    {{"segmentStart":"2026-11-23T10:05:00.000Z","segmentEnd":"2026-11-23T10:06:00.000Z","segmentType":"hold","queueId":"q-sales"}},
    {{"segmentStart":"2026-11-23T10:06:00.000Z","segmentEnd":"2026-11-23T10:09:00.000Z","segmentType":"interact","queueId":"q-sales","disconnectType":"client"}},
    {{"segmentStart":"2026-11-23T10:09:00.000Z","segmentEnd":"{seg_end}","segmentType":"wrapup","queueId":"q-sales",
      "wrapUpCode":"wc-sale","wrapUpNote":"sold the \"premium\" plan","wrapUpTags":["upsell"]}}],
   "metrics":[
    {{"name":"tAlert","value":5000,"emitDate":"2026-11-23T10:01:05.000Z"}},
    {{"name":"tAnswered","value":5000,"emitDate":"2026-11-23T10:01:05.000Z"}},
    {{"name":"tTalk","value":420000,"emitDate":"2026-11-23T10:09:00.000Z"}},
    {{"name":"tHeld","value":60000,"emitDate":"2026-11-23T10:06:00.000Z"}},
    {{"name":"tAcw","value":60000,"emitDate":"{seg_end}"}},
    {{"name":"tHandle","value":540000,"emitDate":"{seg_end}"}},
    {{"name":"nTransferred","value":0,"emitDate":"{seg_end}"}}]}}]}}]}}"#
    )
}

fn page(records: &[String], envelope: &str) -> Vec<u8> {
    let sep = if envelope.is_empty() { "" } else { "," };
    format!(
        r#"{{"conversations":[{}]{sep}{envelope}}}"#,
        records.join(",")
    )
    .into_bytes()
}

fn run(body: &[u8], w: &crate::Interval) -> PageOutput {
    let out = genesys_page(body, w, &mut SeenIds::new()).unwrap();
    assert_schemas(&out);
    out
}

/// Every page yields the vendor's tables in order, each in exactly the declared schema.
fn assert_schemas(out: &PageOutput) {
    let tables: Vec<Table> = out.batches.iter().map(|b| b.table).collect();
    assert_eq!(
        tables,
        super::super::connector::CONVERSATION_TABLES
            .map(Table::named)
            .to_vec()
    );
    for b in &out.batches {
        assert_eq!(b.batch.schema(), b.table.schema(), "{}", b.table);
        assert_eq!(*b.batch.schema(), *b.table.schema(), "{}", b.table);
    }
}

fn rows(out: &PageOutput) -> Vec<usize> {
    out.batches.iter().map(|b| b.batch.num_rows()).collect()
}

fn col<'b>(out: &'b PageOutput, t: Table, name: &str) -> &'b dyn Array {
    let b = &out.batches.iter().find(|b| b.table == t).unwrap().batch;
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("{t}.{name}"))
        .as_ref()
}

fn strs(out: &PageOutput, t: Table, name: &str) -> Vec<Option<String>> {
    let a: &StringArray = col(out, t, name).as_string();
    a.iter().map(|v| v.map(str::to_string)).collect()
}

fn i64s(out: &PageOutput, t: Table, name: &str) -> Vec<Option<i64>> {
    let a: &Int64Array = col(out, t, name).as_primitive();
    a.iter().collect()
}

fn tss(out: &PageOutput, t: Table, name: &str) -> Vec<Option<i64>> {
    let a: &TimestampMicrosecondArray = col(out, t, name).as_primitive();
    a.iter().collect()
}

fn bools(out: &PageOutput, t: Table, name: &str) -> Vec<Option<bool>> {
    let a: &BooleanArray = col(out, t, name).as_boolean();
    a.iter().collect()
}

fn str_lists(out: &PageOutput, t: Table, name: &str) -> Vec<Option<Vec<Option<String>>>> {
    let a: &ListArray = col(out, t, name).as_list();
    a.iter()
        .map(|l| {
            l.map(|l| {
                l.as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect()
            })
        })
        .collect()
}

#[test]
fn query_page_builds_every_table() {
    let body = page(
        &[
            conversation(
                "c1",
                "2026-11-23T10:00:00.000Z",
                Some("2026-11-23T10:10:00.000Z"),
            ),
            conversation("c2", "2026-11-23T11:00:00.000Z", None),
        ],
        r#""totalHits":2"#,
    );
    let out = run(&body, &day());
    assert_eq!(out.meta.total_hits, Some(2));
    assert_eq!(out.meta.records, 2);
    assert_eq!(out.meta.cursor, None);
    assert!(out.quarantined.is_empty());
    // 4 participants, 4 sessions, 3+1+1+5 segments, 2+1+2+7 metrics per conversation.
    assert_eq!(rows(&out), [2, 8, 8, 20, 24]);
    assert_eq!(
        out.stats,
        PageStats {
            conversations: 2,
            ended: 1,
            duration_ms_sum: 600_000,
            out_of_window: 0,
            duplicates: 0
        }
    );

    let t = Table::named("conversations");
    assert_eq!(
        strs(&out, t, "conversation_id"),
        [Some("c1".into()), Some("c2".into())]
    );
    assert_eq!(
        tss(&out, t, "started_at"),
        [
            Some(us("2026-11-23T10:00:00Z")),
            Some(us("2026-11-23T11:00:00Z"))
        ]
    );
    assert_eq!(
        tss(&out, t, "ended_at"),
        [Some(us("2026-11-23T10:10:00Z")), None]
    );
    assert_eq!(i64s(&out, t, "duration_ms"), [Some(600_000), None]);
    assert_eq!(strs(&out, t, "direction")[0].as_deref(), Some("inbound"));
    assert_eq!(strs(&out, t, "media_type")[0].as_deref(), Some("voice"));
    assert_eq!(strs(&out, t, "queue_id")[0].as_deref(), Some("q-sales"));
    assert_eq!(strs(&out, t, "queue_name"), [None, None]);
    assert_eq!(
        str_lists(&out, t, "agent_ids")[0],
        Some(vec![Some("u-ada".into())])
    );
    let pc: &Int32Array = col(&out, t, "participant_count").as_primitive();
    assert_eq!(pc.values().to_vec(), [4, 4]);
    assert_eq!(i64s(&out, t, "handle_ms")[0], Some(540_000));
    assert_eq!(i64s(&out, t, "talk_ms")[0], Some(420_000));
    assert_eq!(i64s(&out, t, "hold_ms")[0], Some(60_000));
    assert_eq!(i64s(&out, t, "acw_ms")[0], Some(60_000));
    assert_eq!(
        i64s(&out, t, "queue_wait_ms")[0],
        Some(80_000),
        "tAcd summed over all sessions"
    );
    assert_eq!(bools(&out, t, "abandoned"), [Some(false), Some(false)]);
    // nTransferred is 0, but the IVR and ACD segments ended with disconnectType "transfer".
    assert_eq!(bools(&out, t, "transferred"), [Some(true), Some(true)]);
    assert_eq!(
        str_lists(&out, t, "division_ids")[0],
        Some(vec![Some("d1a2b3c4-0000-4000-8000-000000000001".into())])
    );
    assert_eq!(strs(&out, t, "external_tag")[1].as_deref(), Some("tag-c2"));

    let p = Table::named("genesys_participants");
    assert_eq!(
        strs(&out, p, "purpose")[..4],
        [
            Some("customer".into()),
            Some("ivr".into()),
            Some("acd".into()),
            Some("agent".into())
        ]
    );
    assert_eq!(strs(&out, p, "user_id")[3].as_deref(), Some("u-ada"));
    assert_eq!(
        col(&out, p, "attributes").null_count(),
        8,
        "query pages carry no attributes"
    );

    let s = Table::named("genesys_sessions");
    assert_eq!(strs(&out, s, "session_id")[0].as_deref(), Some("s-cust-c1"));
    assert_eq!(strs(&out, s, "flow_name")[1].as_deref(), Some("Main Menu"));
    assert_eq!(strs(&out, s, "flow_version")[1].as_deref(), Some("12.0"));
    assert_eq!(
        strs(&out, s, "flow_exit_reason")[1].as_deref(),
        Some("TRANSFER")
    );
    assert_eq!(
        str_lists(&out, s, "requested_routings")[2],
        Some(vec![Some("Standard".into())])
    );
    assert_eq!(bools(&out, s, "recording")[..2], [Some(true), None]);
    let mc: &Int32Array = col(&out, s, "media_count").as_primitive();
    assert_eq!(
        mc.iter().collect::<Vec<_>>()[..4],
        [None, None, None, Some(1)]
    );

    let g = Table::named("genesys_segments");
    let idx: &Int32Array = col(&out, g, "segment_index").as_primitive();
    assert_eq!(idx.values()[..10], [0, 1, 2, 0, 0, 0, 1, 2, 3, 4]);
    assert_eq!(
        tss(&out, g, "segment_start")[0],
        Some(us("2026-11-23T10:00:00Z"))
    );
    assert_eq!(
        strs(&out, g, "wrap_up_note")[9].as_deref(),
        Some("sold the \"premium\" plan")
    );
    assert_eq!(
        str_lists(&out, g, "requested_routing_skill_ids")[4],
        Some(vec![Some("sk-1".into()), Some("sk-2".into())])
    );
    let sip: &ListArray = col(&out, g, "sip_response_codes").as_list();
    assert!(sip.is_null(0));
    assert_eq!(
        sip.value(2)
            .as_primitive::<arrow::datatypes::Int32Type>()
            .values()
            .to_vec(),
        [200]
    );

    let m = Table::named("genesys_metrics");
    assert_eq!(
        strs(&out, m, "name")[..3],
        [
            Some("nConnected".into()),
            Some("tAcd".into()),
            Some("tIvr".into())
        ]
    );
    assert_eq!(i64s(&out, m, "value")[1], Some(40_000));
    assert_eq!(
        tss(&out, m, "emit_date")[1],
        Some(us("2026-11-23T10:01:00Z"))
    );
    let mi: &Int32Array = col(&out, m, "metric_index").as_primitive();
    assert_eq!(mi.values()[..5], [0, 1, 0, 0, 1]);
}

#[test]
fn jobs_page_fills_cursor_availability_and_attributes() {
    let mut c = conversation(
        "j1",
        "2026-11-23T01:00:00.000Z",
        Some("2026-11-23T01:10:00.000Z"),
    );
    // Give the customer participant job-only attributes, in document order, one null value.
    c = c.replacen(
        r#""purpose":"customer","#,
        r#""purpose":"customer","attributes":{"zeta":"1","alpha":"x\ny","empty":null},"#,
        1,
    );
    let body = page(
        &[c],
        r#""cursor":"abc==","dataAvailabilityDate":"2026-11-24T03:00:00.000Z""#,
    );
    let out = run(&body, &day());
    assert_eq!(out.meta.cursor.as_deref(), Some("abc=="));
    assert_eq!(out.meta.total_hits, None);
    assert_eq!(
        out.meta.data_availability.unwrap().to_rfc3339(),
        "2026-11-24T03:00:00+00:00"
    );
    let attrs: &MapArray = col(&out, Table::named("genesys_participants"), "attributes").as_map();
    assert!(attrs.is_valid(0) && attrs.is_null(1));
    let entries = attrs.value(0);
    let keys: Vec<_> = entries.column(0).as_string::<i32>().iter().collect();
    let vals: Vec<_> = entries.column(1).as_string::<i32>().iter().collect();
    assert_eq!(keys, [Some("zeta"), Some("alpha"), Some("empty")]);
    assert_eq!(vals, [Some("1"), Some("x\ny"), None]);

    // The last page has no cursor.
    let last = page(&[], r#""dataAvailabilityDate":"2026-11-24T03:00:00Z""#);
    let out = run(&last, &day());
    assert_eq!(out.meta.cursor, None);
    assert_eq!(out.meta.records, 0);
}

#[test]
fn ownership_window_and_duplicates() {
    let w = window("2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z");
    let body = page(
        &[
            conversation(
                "before",
                "2026-11-23T09:59:59.999Z",
                Some("2026-11-23T10:30:00.000Z"),
            ),
            conversation(
                "first",
                "2026-11-23T10:00:00.000Z",
                Some("2026-11-23T10:10:00.000Z"),
            ),
            conversation("at-end", "2026-11-23T11:00:00.000Z", None),
            conversation(
                "first",
                "2026-11-23T10:00:00.000Z",
                Some("2026-11-23T10:10:00.000Z"),
            ),
            conversation("second", "2026-11-23T10:59:59.999Z", None),
        ],
        "",
    );
    let mut seen = SeenIds::new();
    let out = genesys_page(&body, &w, &mut seen).unwrap();
    assert_schemas(&out);
    assert_eq!(
        strs(&out, Table::named("conversations"), "conversation_id"),
        [Some("first".into()), Some("second".into())]
    );
    assert_eq!(out.stats.out_of_window, 2);
    assert_eq!(out.stats.duplicates, 1);
    assert_eq!(
        (
            out.stats.conversations,
            out.stats.ended,
            out.stats.duration_ms_sum
        ),
        (2, 1, 600_000)
    );
    assert_eq!(out.meta.records, 5);
    assert_eq!(
        rows(&out)[1],
        8,
        "children of skipped conversations are not written"
    );

    // The same slice's next page repeats one (unstable paging): skipped.
    let next = page(
        &[conversation("second", "2026-11-23T10:59:59.999Z", None)],
        "",
    );
    let out = genesys_page(&next, &w, &mut seen).unwrap();
    assert_eq!(rows(&out), [0, 0, 0, 0, 0]);
    assert_eq!(out.stats.duplicates, 1);
    assert_eq!(seen.len(), 2);
}

#[test]
fn open_enums_pass_through() {
    let c = conversation("e1", "2026-11-23T10:00:00.000Z", None)
        .replace(r#""mediaType":"voice""#, r#""mediaType":"Hologram""#)
        .replace(r#""purpose":"ivr""#, r#""purpose":"quantumbot""#)
        .replace(r#""segmentType":"hold""#, r#""segmentType":"teleport""#)
        .replace(
            r#""usedRouting":"Standard""#,
            r#""usedRouting":"Telepathic""#,
        )
        .replace(
            r#""originatingDirection":"inbound""#,
            r#""originatingDirection":"sideways""#,
        );
    let out = run(&page(&[c], ""), &day());
    assert!(out.quarantined.is_empty());
    assert_eq!(
        strs(&out, Table::named("conversations"), "media_type")[0].as_deref(),
        Some("hologram")
    );
    assert_eq!(
        strs(&out, Table::named("conversations"), "direction")[0].as_deref(),
        Some("sideways")
    );
    assert_eq!(
        strs(&out, Table::named("genesys_sessions"), "media_type")[0].as_deref(),
        Some("Hologram")
    );
    assert_eq!(
        strs(&out, Table::named("genesys_sessions"), "used_routing")[2].as_deref(),
        Some("Telepathic")
    );
    assert_eq!(
        strs(&out, Table::named("genesys_participants"), "purpose")[1].as_deref(),
        Some("quantumbot")
    );
    assert_eq!(
        strs(&out, Table::named("genesys_segments"), "segment_type")[7].as_deref(),
        Some("teleport")
    );

    assert_eq!(normalize_media_type("voice"), "voice");
    assert!(matches!(normalize_media_type("chat"), Cow::Borrowed(_)));
    assert_eq!(normalize_media_type("PhoneCall"), "voice");
    assert_eq!(normalize_media_type("SMS"), "message");
    assert_eq!(normalize_media_type("InternalMessage"), "internalmessage");
    assert_eq!(normalize_media_type(""), "unknown");
}

#[test]
fn conversation_without_sessions_is_unknown_media_and_empty_agents() {
    let c = r#"{"conversationId":"bare","conversationStart":"2026-11-23T10:00:00Z","participants":[{"participantId":"p","purpose":"agent"}]}"#;
    let out = run(&page(&[c.to_string()], ""), &day());
    let t = Table::named("conversations");
    assert_eq!(strs(&out, t, "media_type")[0].as_deref(), Some("unknown"));
    assert_eq!(str_lists(&out, t, "agent_ids")[0], Some(vec![]));
    assert_eq!(i64s(&out, t, "handle_ms"), [None]);
    assert_eq!(str_lists(&out, t, "division_ids")[0], None);
    assert_eq!(bools(&out, t, "abandoned"), [Some(false)]);
    assert_eq!(bools(&out, t, "transferred"), [Some(false)]);
    assert_eq!(rows(&out), [1, 1, 0, 0, 0]);
}

#[test]
fn abandoned_and_transferred_by_metric() {
    let c = conversation(
        "a1",
        "2026-11-23T10:00:00.000Z",
        Some("2026-11-23T10:10:00.000Z"),
    )
    .replace(r#""name":"tIvr""#, r#""name":"tAbandon""#)
    .replace(
        r#""disconnectType":"transfer""#,
        r#""disconnectType":"client""#,
    );
    let out = run(&page(std::slice::from_ref(&c), ""), &day());
    assert_eq!(
        bools(&out, Table::named("conversations"), "abandoned"),
        [Some(true)]
    );
    assert_eq!(
        bools(&out, Table::named("conversations"), "transferred"),
        [Some(false)]
    );
    let c = c.replace(
        r#""name":"nTransferred","value":0"#,
        r#""name":"nTransferred","value":1"#,
    );
    let out = run(&page(&[c], ""), &day());
    assert_eq!(
        bools(&out, Table::named("conversations"), "transferred"),
        [Some(true)]
    );
    let c = conversation("a2", "2026-11-23T10:00:00.000Z", None).replace(
        r#""disconnectType":"transfer""#,
        r#""disconnectType":"consultTransfer""#,
    );
    let out = run(&page(&[c], ""), &day());
    assert_eq!(
        bools(&out, Table::named("conversations"), "transferred"),
        [Some(true)]
    );
}

#[test]
fn bad_records_are_quarantined_and_good_rows_kept() {
    let good = |id: &str| {
        conversation(
            id,
            "2026-11-23T10:00:00.000Z",
            Some("2026-11-23T10:10:00.000Z"),
        )
    };
    let missing_id = good("x").replacen(r#""conversationId":"x","#, "", 1);
    let bad_start = good("bad-start").replace(
        r#""conversationStart":"2026-11-23T10:00:00.000Z""#,
        r#""conversationStart":"yesterday""#,
    );
    let no_start =
        good("no-start").replace(r#""conversationStart":"2026-11-23T10:00:00.000Z","#, "");
    let wrong_type = good("wrong-type").replacen(r#""mediaType":"voice""#, r#""mediaType":5"#, 1);
    let bad_nested = good("bad-nested").replace(
        r#""segmentStart":"2026-11-23T10:05:00.000Z""#,
        r#""segmentStart":"10:05""#,
    );
    let bad_emit = good("bad-emit").replace(
        r#""emitDate":"2026-11-23T10:06:00.000Z""#,
        r#""emitDate":"2026-11-23T25:00:00Z""#,
    );
    let end_before = good("end-before").replace(
        r#""conversationEnd":"2026-11-23T10:10:00.000Z""#,
        r#""conversationEnd":"2026-11-23T09:00:00.000Z""#,
    );
    let wrong_list = good("wrong-list").replace(
        r#""participants":["#,
        r#""participants":{"a":1},"ignored":["#,
    );
    let records = [
        good("ok-1"),
        missing_id,
        bad_start,
        no_start,
        wrong_type,
        bad_nested,
        "42".to_string(),
        bad_emit,
        end_before,
        wrong_list,
        good("ok-2"),
    ];
    let body = page(&records, r#""totalHits":11"#);
    let out = run(&body, &day());
    assert_eq!(
        strs(&out, Table::named("conversations"), "conversation_id"),
        [Some("ok-1".into()), Some("ok-2".into())]
    );
    assert_eq!(rows(&out), [2, 8, 8, 20, 24]);
    assert_eq!(out.meta.records, 11);
    assert_eq!(out.meta.total_hits, Some(11));
    assert_eq!(out.stats.conversations, 2);
    let reasons: Vec<&str> = out.quarantined.iter().map(|q| q.reason.as_str()).collect();
    let expect = [
        ("conversations[1]: conversationId is missing", None),
        ("conversations[2]: conversation \"bad-start\": conversationStart: \"yesterday\" is not an RFC 3339", None),
        ("conversations[3]: conversation \"no-start\": conversationStart: missing", None),
        ("conversations[4]: field `mediaType` does not fit the model: invalid type: integer `5`, expected a string", None),
        ("conversations[5]: conversation \"bad-nested\": participants[3].sessions[0].segments[2].segmentStart: \"10:05\"", None),
        ("conversations[6]: record is not a JSON object", Some("42")),
        ("conversations[7]: conversation \"bad-emit\": participants[3].sessions[0].metrics[3].emitDate:", None),
        ("conversations[8]: conversation \"end-before\": conversationEnd: is before conversationStart", None),
        ("conversations[9]: field `participants` does not fit the model", None),
    ];
    assert_eq!(reasons.len(), expect.len(), "{reasons:#?}");
    for ((r, q), (want, raw)) in reasons.iter().zip(&out.quarantined).zip(expect) {
        assert!(r.starts_with(want), "{r:?} should start with {want:?}");
        match raw {
            Some(raw) => assert_eq!(q.raw, raw),
            None => assert!(q.raw.starts_with('{') && q.raw.ends_with('}'), "{}", q.raw),
        }
    }
    // The raw text is exactly the record as received.
    assert_eq!(out.quarantined[3].raw, records[4]);
}

#[test]
fn typed_page_with_an_invalid_record_takes_the_slow_path_cleanly() {
    // Every record deserializes, but one fails validation: the fast path must
    // leave `seen` untouched so the per-record path writes the good ones once.
    let ok = conversation("ok", "2026-11-23T10:00:00.000Z", None);
    let bad = conversation("bad", "2026-11-23T10:00:00.000Z", None).replacen(
        r#""participantId":"p-ivr-bad","#,
        "",
        1,
    );
    let mut seen = SeenIds::new();
    let out = genesys_page(&page(&[ok, bad], ""), &day(), &mut seen).unwrap();
    assert_schemas(&out);
    assert_eq!(out.stats.conversations, 1);
    assert_eq!(out.stats.duplicates, 0);
    assert_eq!(seen.len(), 1);
    assert_eq!(out.quarantined.len(), 1);
    assert_eq!(
        out.quarantined[0].reason,
        "conversations[1]: conversation \"bad\": participants[1].participantId: missing"
    );
}

#[test]
fn quarantined_records_do_not_touch_seen_ids() {
    let bad = conversation("dup", "2026-11-23T10:00:00.000Z", None).replacen(
        r#""mediaType":"voice""#,
        r#""mediaType":[]"#,
        1,
    );
    let mut seen = SeenIds::new();
    let out = genesys_page(&page(&[bad], ""), &day(), &mut seen).unwrap();
    assert_eq!(out.quarantined.len(), 1);
    assert!(seen.is_empty());
    let good = conversation("dup", "2026-11-23T10:00:00.000Z", None);
    let out = genesys_page(&page(&[good], ""), &day(), &mut seen).unwrap();
    assert_eq!(out.stats.conversations, 1);
}

#[test]
fn escaped_strings_round_trip() {
    let c = conversation("esc", "2026-11-23T10:00:00.000Z", None)
        .replace(
            r#""participantName":"Ada Agent""#,
            r#""participantName":"a\"b \\ caf\u00e9 \ud83d\ude00 tab\t""#,
        )
        .replace(r#""externalTag":"tag-esc""#, r#""externalTag":"x\/y""#);
    let out = run(&page(&[c], ""), &day());
    assert_eq!(
        strs(
            &out,
            Table::named("genesys_participants"),
            "participant_name"
        )[3]
        .as_deref(),
        Some("a\"b \\ café 😀 tab\t")
    );
    assert_eq!(
        strs(&out, Table::named("conversations"), "external_tag")[0].as_deref(),
        Some("x/y")
    );
}

#[test]
fn unescaped_strings_are_borrowed_from_the_page() {
    let body = page(&[conversation("b1", "2026-11-23T10:00:00.000Z", None)], "");
    let p: Page = serde_json::from_slice(&body).unwrap();
    let c = &p.conversations.unwrap()[0];
    assert!(c.conversation_id.as_ref().is_some_and(Text::is_borrowed));
    let seg = &c.participants.as_ref().unwrap()[3]
        .sessions
        .as_ref()
        .unwrap()[0]
        .segments
        .as_ref()
        .unwrap()[4];
    assert!(
        !seg.wrap_up_note.as_ref().unwrap().is_borrowed(),
        "escaped strings are decoded into an owned copy"
    );
}

#[test]
fn empty_pages() {
    for body in [
        r#"{"conversations":[],"totalHits":0}"#,
        r#"{"totalHits":0}"#,
        r#"{"conversations":null}"#,
        r#"  {}  "#,
        r#"{"cursor":null,"dataAvailabilityDate":"2026-11-24T00:00:00Z","unknownField":{"x":[1,2]}}"#,
    ] {
        let out = run(body.as_bytes(), &day());
        assert_eq!(rows(&out), [0, 0, 0, 0, 0], "{body}");
        assert_eq!(out.meta.records, 0);
        assert_eq!(out.stats, PageStats::default());
        assert!(out.quarantined.is_empty());
    }
}

#[test]
fn malformed_bodies_are_errors() {
    for body in [
        "",
        "   ",
        "not json",
        "[]",
        "[null,null,null,null]",
        "null",
        r#"{"conversations":[{"conversationId":"x""#,
        r#"{"conversations":5}"#,
        r#"{"conversations":[],"totalHits":"many"}"#,
        r#"{"conversations":[],"dataAvailabilityDate":"soon"}"#,
    ] {
        let r = genesys_page(body.as_bytes(), &day(), &mut SeenIds::new());
        let Err(PageError::Malformed(m)) = r else {
            panic!("{body:?} should be malformed")
        };
        assert!(!m.is_empty());
    }
}

fn sample(file: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data/genesys")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sample_window() -> crate::Interval {
    window("2026-11-20", "2026-11-22")
}

/// Every record of a page is written, skipped or quarantined: none vanish.
fn assert_accounted(out: &PageOutput) {
    let s = &out.stats;
    assert_eq!(
        out.meta.records as u64,
        s.conversations + s.duplicates + s.out_of_window + out.quarantined.len() as u64
    );
}

#[test]
fn sample_query_pages() {
    let out = run(&sample("query_page.json"), &sample_window());
    assert_accounted(&out);
    assert_eq!(out.meta.total_hits, Some(3));
    assert_eq!(out.stats.conversations, 3);
    assert_eq!(out.stats.ended, 2);
    let t = Table::named("conversations");
    assert_eq!(tss(&out, t, "ended_at")[2], None, "the last one is ongoing");
    assert_eq!(i64s(&out, t, "duration_ms")[2], None);
    let (start, end) = (tss(&out, t, "started_at"), tss(&out, t, "ended_at"));
    let d = i64s(&out, t, "duration_ms");
    for i in 0..2 {
        assert_eq!(d[i], Some((end[i].unwrap() - start[i].unwrap()) / 1000));
    }
    assert_eq!(out.stats.duration_ms_sum, d[0].unwrap() + d[1].unwrap());
    assert!(strs(&out, t, "queue_id").iter().all(Option::is_some));
    assert!(str_lists(&out, t, "agent_ids")
        .iter()
        .all(|a| a.as_ref().is_some_and(|a| !a.is_empty())));
    assert_eq!(
        col(&out, Table::named("genesys_participants"), "attributes").null_count(),
        rows(&out)[1]
    );
    assert!(rows(&out)[3] > 0 && rows(&out)[4] > 0);

    let empty = run(&sample("query_page_empty.json"), &sample_window());
    assert_eq!(rows(&empty), [0, 0, 0, 0, 0]);
    assert_eq!(empty.meta.total_hits, Some(3));
    assert_eq!(empty.meta.records, 0);
}

#[test]
fn sample_job_pages() {
    let mut seen = SeenIds::new();
    let first = genesys_page(
        &sample("job_results_page1.json"),
        &sample_window(),
        &mut seen,
    )
    .unwrap();
    assert_schemas(&first);
    assert_accounted(&first);
    assert!(first.meta.cursor.is_some());
    assert!(first.meta.data_availability.is_some());
    assert_eq!(first.stats.conversations, 2);
    let attrs = col(&first, Table::named("genesys_participants"), "attributes");
    assert!(
        attrs.null_count() < attrs.len(),
        "job results carry participant attributes"
    );
    let last = genesys_page(
        &sample("job_results_last.json"),
        &sample_window(),
        &mut seen,
    )
    .unwrap();
    assert_schemas(&last);
    assert_eq!(last.meta.cursor, None);
    assert_eq!(last.stats.conversations, 1);
    assert_eq!(last.stats.ended, 0);
    assert_eq!(
        tss(&last, Table::named("conversations"), "ended_at"),
        [None]
    );
    // The same conversations again (a resubmitted job) are all duplicates.
    let again = genesys_page(
        &sample("job_results_page1.json"),
        &sample_window(),
        &mut seen,
    )
    .unwrap();
    assert_eq!((again.stats.conversations, again.stats.duplicates), (0, 2));
    // A slice that owns none of them writes none.
    let other = run(
        &sample("job_results_page1.json"),
        &window("2026-11-23", "2026-11-24"),
    );
    assert_eq!(
        (other.stats.conversations, other.stats.out_of_window),
        (0, 2)
    );
}

#[test]
fn sample_bad_records_page() {
    let out = run(&sample("bad_records_page.json"), &sample_window());
    assert_accounted(&out);
    assert_eq!(out.stats.conversations, 1);
    assert_eq!(rows(&out)[0], 1);
    let reasons: Vec<&str> = out.quarantined.iter().map(|q| q.reason.as_str()).collect();
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert!(
        reasons[0].starts_with("conversations[1]: conversationId is missing"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].contains("conversationStart: \"not-a-date\" is not an RFC 3339"),
        "{}",
        reasons[1]
    );
    assert!(
        reasons[2].contains("field `participants`") && reasons[2].contains("invalid type: string"),
        "{}",
        reasons[2]
    );
    assert!(
        reasons[3].contains("field `segmentStart`") && reasons[3].contains("invalid type: integer"),
        "{}",
        reasons[3]
    );
    for q in &out.quarantined {
        let v: serde_json::Value = serde_json::from_str(&q.raw).unwrap();
        assert!(v.is_object(), "raw is the record's own JSON");
    }
}

/// CPU time of this thread (Linux `schedstat`, ns), so throughput numbers
/// stay meaningful on a busy machine; wall time elsewhere.
fn thread_cpu() -> Option<std::time::Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(std::time::Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Best-of-5 seconds for `f`: (CPU, wall).
fn time_it(mut f: impl FnMut()) -> (f64, f64) {
    let (mut cpu, mut wall) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        let (c0, t0) = (thread_cpu(), std::time::Instant::now());
        f();
        let w = t0.elapsed().as_secs_f64();
        let c = match (c0, thread_cpu()) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => w,
        };
        cpu = cpu.min(c);
        wall = wall.min(w);
    }
    (cpu, wall)
}

/// Pages of 100 realistic conversations (~5 KB each), distinct ids.
fn bench_pages(pages: usize) -> Vec<Vec<u8>> {
    (0..pages)
        .map(|p| {
            let recs: Vec<String> = (0..100)
                .map(|i| {
                    let id = format!("c0ffee00-0000-4000-8000-{:012}", p * 100 + i);
                    conversation(
                        &id,
                        "2026-11-23T10:00:00.000Z",
                        Some("2026-11-23T10:10:00.000Z"),
                    )
                })
                .collect();
            page(&recs, r#""totalHits":20000"#)
        })
        .collect()
}

/// Parse+build throughput, with the typed-parse-only and skim-only shares.
/// Run in release:
/// `cargo test --release --lib transform::tests::throughput -- --ignored --nocapture`
#[test]
#[ignore]
fn throughput() {
    let bodies = bench_pages(100);
    let n = (bodies.len() * 100) as f64;
    let bytes: usize = bodies.iter().map(Vec::len).sum();
    let w = day();
    let full = time_it(|| {
        let mut seen = SeenIds::new();
        for b in &bodies {
            let out = genesys_page(b, &w, &mut seen).unwrap();
            assert_eq!(out.stats.conversations, 100);
        }
    });
    let typed = time_it(|| {
        for b in &bodies {
            let p: Page = serde_json::from_str(std::str::from_utf8(b).unwrap()).unwrap();
            std::hint::black_box(p);
        }
    });
    let skim = time_it(|| {
        for b in &bodies {
            let v: serde::de::IgnoredAny = serde_json::from_slice(b).unwrap();
            std::hint::black_box(v);
        }
    });
    println!(
        "parse+build: {:.0} conversations/s per core ({:.0} MB/s; wall {:.0}/s), {} B/conversation",
        n / full.0,
        bytes as f64 / full.0 / 1e6,
        n / full.1,
        bytes / bodies.len() / 100
    );
    println!(
        "  typed parse only {:.0}/s, JSON skim only {:.0}/s (CPU time)",
        n / typed.0,
        n / skim.0
    );
}
