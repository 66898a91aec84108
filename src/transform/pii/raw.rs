//! Redaction of quarantined raw records: the same policy, applied to the
//! JSON by field name. A vendor table's column is the snake_case of the
//! vendor's JSON field (`addressFrom` → `address_from`), so the fields of a
//! raw record map to the columns of its stream's tables; where one name maps
//! to several columns, the strictest action wins (nothing a column would
//! hide may show in `_quarantine/`). Under a redacted field every text or
//! number inside is redacted; under participant attributes, every value
//! whose key is not kept.

use super::policy::{Action, PiiPolicy};
use crate::transform::schema::PiiClass;
use crate::transform::{QuarantinedRecord, Table};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// What a raw record's field gets.
#[derive(Debug, Clone, Copy)]
enum FieldRule {
    All(Action),
    Attributes(Action),
}

/// Redacts the quarantined records of one stream.
#[derive(Debug, Clone)]
pub struct RawRedactor {
    policy: Arc<PiiPolicy>,
    /// snake_case field name (or a declared JSON alias) → rule.
    fields: HashMap<String, FieldRule>,
}

/// What a record whose personal data could not be located says instead.
const WITHHELD: &str = "{\"cxetl_withheld\":\"the record could not be parsed to redact its personal data under the run's --pii policy; the reason says why it was quarantined\"}";

impl RawRedactor {
    /// The redactor for records of a stream writing `tables`.
    pub fn new(policy: Arc<PiiPolicy>, tables: &[Table]) -> RawRedactor {
        let mut fields: HashMap<String, FieldRule> = HashMap::new();
        for &table in tables {
            for (i, col) in table.def().columns.iter().enumerate() {
                let action = policy.action(table, i);
                if action == Action::Keep {
                    continue;
                }
                let rule = if col.pii_class() == Some(PiiClass::Attributes) {
                    FieldRule::Attributes(action)
                } else {
                    FieldRule::All(action)
                };
                for name in std::iter::once(&col.name).chain(&col.json_aliases) {
                    let slot = fields.entry(name.clone()).or_insert(rule);
                    *slot = stricter(*slot, rule);
                }
            }
        }
        RawRedactor { policy, fields }
    }

    /// True when nothing of these tables is redacted: records stay verbatim.
    pub fn is_noop(&self) -> bool {
        self.fields.is_empty()
    }

    /// Redacts the raw record and scrubs the values it hid out of the reason.
    pub fn redact(&self, record: &mut QuarantinedRecord) {
        if self.is_noop() {
            return;
        }
        let mut hidden = Vec::new();
        match serde_json::from_str::<Value>(&record.raw) {
            Ok(mut value) => {
                self.walk(&mut value, &mut hidden);
                record.raw = serde_json::to_string(&value).expect("a Value always serialises");
            }
            // Too deep or otherwise unreadable as a tree: nothing in it can
            // be told apart, so none of it is kept; the reason still is.
            Err(_) => record.raw = WITHHELD.to_string(),
        }
        hidden.sort_by_key(|s: &String| std::cmp::Reverse(s.len()));
        for original in hidden.iter().filter(|s| s.chars().count() >= 3) {
            if record.reason.contains(original.as_str()) {
                record.reason = record.reason.replace(original.as_str(), "[redacted]");
            }
        }
    }

    fn rule(&self, key: &str) -> Option<FieldRule> {
        if let Some(rule) = self.fields.get(key) {
            return Some(*rule);
        }
        self.fields.get(&snake_case(key)).copied()
    }

    fn walk(&self, value: &mut Value, hidden: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    match self.rule(key) {
                        Some(FieldRule::All(action)) => self.leaves(child, action, hidden),
                        Some(FieldRule::Attributes(action)) => match child {
                            Value::Object(attrs) => {
                                for (k, v) in attrs.iter_mut() {
                                    if !self.policy.attributes_keep.contains(k) {
                                        self.leaves(v, action, hidden);
                                    }
                                }
                            }
                            other => self.leaves(other, action, hidden),
                        },
                        None => self.walk(child, hidden),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.walk(v, hidden)),
            _ => {}
        }
    }

    fn leaves(&self, value: &mut Value, action: Action, hidden: &mut Vec<String>) {
        let text = match value {
            Value::String(s) => std::mem::take(s),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => {
                return items
                    .iter_mut()
                    .for_each(|v| self.leaves(v, action, hidden))
            }
            Value::Object(map) => {
                return map
                    .values_mut()
                    .for_each(|v| self.leaves(v, action, hidden))
            }
            Value::Bool(_) | Value::Null => return,
        };
        let mut out = String::new();
        *value = if self.policy.transform_into(&text, action, &mut out) {
            Value::String(out)
        } else {
            Value::Null
        };
        hidden.push(text);
    }
}

fn stricter(a: FieldRule, b: FieldRule) -> FieldRule {
    let action = |r: FieldRule| match r {
        FieldRule::All(a) | FieldRule::Attributes(a) => a,
    };
    if action(b) > action(a) {
        b
    } else {
        a
    }
}

/// `addressFrom` → `address_from`, `ACWSeconds` → `acw_seconds`.
pub(super) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::transform::pii::PiiSpec;

    fn redactor(default: &str, attributes_keep: &[&str], tables: &[&str]) -> RawRedactor {
        let policy = PiiPolicy::resolve(&PiiSpec {
            default: Some(default.into()),
            key: Some(Secret::new("k")),
            attributes_keep: attributes_keep.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        })
        .unwrap();
        let tables: Vec<Table> = tables.iter().map(|t| Table::named(t)).collect();
        RawRedactor::new(Arc::new(policy), &tables)
    }

    #[test]
    fn snake_case_matches_the_column_names() {
        assert_eq!(snake_case("addressFrom"), "address_from");
        assert_eq!(snake_case("sessionDnis"), "session_dnis");
        assert_eq!(snake_case("ACWSeconds"), "acw_seconds");
        assert_eq!(snake_case("telephone1"), "telephone1");
        assert_eq!(snake_case("emailAddress"), "email_address");
    }

    #[test]
    fn nested_fields_lists_numbers_and_attributes_are_redacted_and_the_reason_scrubbed() {
        let r = redactor(
            "drop",
            &["queueName"],
            &[
                "conversations",
                "genesys_participants",
                "genesys_sessions",
                "genesys_segments",
            ],
        );
        let raw = r#"{"conversationId":"c1","participants":[{"participantName":"Ada Lovelace",
            "attributes":{"queueName":"Sales","account":"ACC-991"},
            "sessions":[{"ani":"tel:+15551230001","addressFrom":5551230002,"callbackNumbers":["+15551230003"],
            "segments":[{"wrapUpNote":"called about Ada's bill","segmentType":"wrapup"}]}]}]}"#;
        let mut q = QuarantinedRecord {
            reason: "field `ani` does not fit: \"tel:+15551230001\" and 5551230002".into(),
            raw: raw.into(),
            started_at: None,
        };
        r.redact(&mut q);
        for planted in [
            "Ada Lovelace",
            "ACC-991",
            "+15551230001",
            "5551230002",
            "+15551230003",
            "Ada's bill",
        ] {
            assert!(!q.raw.contains(planted), "{planted} in {}", q.raw);
            assert!(!q.reason.contains(planted), "{planted} in {}", q.reason);
        }
        assert!(q.raw.contains("\"queueName\":\"Sales\""), "{}", q.raw);
        assert!(q.raw.contains("\"segmentType\":\"wrapup\""));
        assert!(q.raw.contains("\"conversationId\":\"c1\""));
    }

    #[test]
    fn a_record_too_deep_to_read_is_withheld_and_keep_leaves_it_verbatim() {
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        let mut q = QuarantinedRecord {
            reason: "too deep".into(),
            raw: deep.clone(),
            started_at: None,
        };
        redactor("hash", &[], &["genesys_sessions"]).redact(&mut q);
        assert_eq!(q.raw, WITHHELD);
        assert!(serde_json::from_str::<Value>(&q.raw).is_ok());
        let mut kept = QuarantinedRecord {
            reason: "x".into(),
            raw: deep.clone(),
            started_at: None,
        };
        redactor("keep", &[], &["genesys_sessions"]).redact(&mut kept);
        assert_eq!(kept.raw, deep);
    }
}
