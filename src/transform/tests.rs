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

/// Every column whose name suggests personal data is classified in
/// `schemas/`, or marked `"pii": "none"` with a reason; a new table or
/// column that forgets fails here.
#[test]
fn columns_that_sound_personal_are_classified() {
    const SUGGESTIVE: &[&str] = &[
        "ani",
        "dnis",
        "address",
        "addresses",
        "address1",
        "address2",
        "phone",
        "telephone1",
        "telephone2",
        "email",
        "name",
        "note",
        "notes",
        "remote",
        "subject",
        "attributes",
        "username",
        "login",
        "zip",
        "city",
        "custom1",
        "custom2",
        "custom3",
        "custom4",
        "custom5",
        "callback",
        "contact",
    ];
    let mut unmarked = Vec::new();
    for t in Table::all() {
        for c in &t.def().columns {
            // Only text can hold a name, number or address.
            let text = c.ty.contains("utf8");
            let suggestive = text
                && c.name.split('_').any(|part| SUGGESTIVE.contains(&part))
                && !c.name.ends_with("_id")
                && !c.name.ends_with("_ids");
            if suggestive && c.pii.is_none() {
                unmarked.push(format!("{}.{}", t.name(), c.name));
            }
        }
    }
    assert!(
        unmarked.is_empty(),
        "classify these in schemas/ (\"pii\": phone|email|name|address|free_text|attributes, or \"none\" with a pii_reason): {unmarked:?}"
    );
}

#[test]
fn pii_markings_are_checked_when_parsed() {
    let def = |col: &str| {
        format!(
            r#"{{"table": "t", "description": "d", "natural_key": ["id"], "columns": [
            {{"name": "id", "type": "utf8", "nullable": false, "description": "x"}}, {col}]}}"#
        )
    };
    let ok = def(
        r#"{"name": "ani", "type": "utf8", "nullable": true, "pii": "phone", "description": "x"}"#,
    );
    assert!(schema::parse_definition(&ok).is_ok());
    for (col, why) in [
        (
            r#"{"name": "n", "type": "utf8", "nullable": true, "pii": "none", "description": "x"}"#,
            "pii_reason",
        ),
        (
            r#"{"name": "n", "type": "utf8", "nullable": false, "pii": "name", "description": "x"}"#,
            "nullable",
        ),
        (
            r#"{"name": "n", "type": "int64", "nullable": true, "pii": "phone", "description": "x"}"#,
            "utf8",
        ),
        (
            r#"{"name": "n", "type": "utf8", "nullable": true, "pii": "secret", "description": "x"}"#,
            "phone",
        ),
        (
            r#"{"name": "n", "type": "utf8", "nullable": true, "pii": "name", "pii_reason": "r", "description": "x"}"#,
            "none",
        ),
    ] {
        let e = schema::parse_definition(&def(col)).unwrap_err().to_string();
        assert!(e.contains(why), "{col}: {e}");
    }
}
