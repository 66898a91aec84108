//! Tests of the vendor-neutral table registry.

use super::*;
use arrow::datatypes::{DataType, TimeUnit};

#[test]
fn schemas_parse_and_name_their_tables() {
    assert!(Table::all().len() >= 6);
    for t in Table::all() {
        let s = t.schema();
        assert!(s.fields().len() >= 4, "{t}");
        assert_eq!(Table::from_name(t.name()), Some(t));
        assert!(t
            .definition_json()
            .contains(&format!("\"table\": \"{}\"", t.name())));
        assert!(!t.natural_key().is_empty());
        for k in t.natural_key() {
            assert!(!s.field_with_name(k).unwrap().is_nullable(), "{t}.{k}");
        }
        // No partition columns inside the files.
        assert!(s.field_with_name("vendor").is_err() && s.field_with_name("date").is_err());
        for f in s.fields() {
            if let DataType::Timestamp(unit, tz) = f.data_type() {
                assert_eq!((unit, tz.as_deref()), (&TimeUnit::Microsecond, Some("UTC")));
            }
        }
    }
    assert_eq!(Table::from_name("nope"), None);
    let c = Table::named("conversations").schema();
    let names: Vec<&str> = c.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "conversation_id",
            "started_at",
            "ended_at",
            "duration_ms",
            "direction",
            "media_type",
            "queue_id",
            "queue_name",
            "agent_ids",
            "participant_count",
            "handle_ms",
            "talk_ms",
            "hold_ms",
            "acw_ms",
            "queue_wait_ms",
            "abandoned",
            "transferred",
            "division_ids",
            "external_tag"
        ]
    );
    assert!(!c.field_with_name("started_at").unwrap().is_nullable());
    assert!(c.field_with_name("ended_at").unwrap().is_nullable());
    assert!(matches!(
        Table::named("genesys_participants")
            .schema()
            .field_with_name("attributes")
            .unwrap()
            .data_type(),
        DataType::Map(_, false)
    ));
}
