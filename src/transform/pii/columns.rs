//! Redaction of built Arrow columns: text, lists of text (element by
//! element) and maps of text (participant attributes: each value unless its
//! key is kept).

use super::policy::{Action, PiiPolicy};
use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, ListArray, MapArray, StringArray, StringBuilder,
    StructArray,
};
use arrow::datatypes::DataType;
use std::collections::HashMap;
use std::sync::Arc;

/// Hashes already computed for one batch. A page repeats its personal
/// values many times (a caller's number is the `ani` of every session of
/// the conversation, and `address_from` too; a queue's DNIS recurs across
/// conversations), so looking a value up is cheaper than another HMAC.
#[derive(Default)]
pub(super) struct HashCache<'a> {
    at: HashMap<&'a str, usize, foldhash::fast::RandomState>,
    hex: String,
    /// The last value looked up: the sessions of one conversation are
    /// adjacent rows, so a column often repeats its previous value.
    last: Option<(&'a str, usize)>,
}

impl<'a> HashCache<'a> {
    fn get_or_hash(&mut self, value: &'a str, policy: &PiiPolicy, buf: &mut String) -> &str {
        let start = match self.last {
            Some((last, start)) if last == value => start,
            _ => match self.at.get(value) {
                Some(&start) => start,
                None => {
                    policy.transform_into(value, Action::Hash, buf);
                    let start = self.hex.len();
                    self.hex.push_str(buf);
                    self.at.insert(value, start);
                    start
                }
            },
        };
        self.last = Some((value, start));
        &self.hex[start..start + 64]
    }
}

/// `column` with every value rewritten by `action`.
pub(super) fn redact<'a>(
    column: &'a ArrayRef,
    action: Action,
    policy: &PiiPolicy,
    cache: &mut HashCache<'a>,
) -> ArrayRef {
    match column.data_type() {
        DataType::Utf8 if action == Action::Drop => {
            new_null_array(column.data_type(), column.len())
        }
        DataType::Utf8 => Arc::new(strings(
            column.as_string::<i32>(),
            action,
            policy,
            None,
            cache,
        )),
        DataType::List(_) if action == Action::Drop => {
            new_null_array(column.data_type(), column.len())
        }
        DataType::List(field) => {
            let list = column.as_list::<i32>();
            let values = strings(
                list.values().as_string::<i32>(),
                action,
                policy,
                None,
                cache,
            );
            Arc::new(
                ListArray::try_new(
                    field.clone(),
                    list.offsets().clone(),
                    Arc::new(values),
                    list.nulls().cloned(),
                )
                .expect("same offsets and length"),
            )
        }
        DataType::Map(field, ordered) => {
            let map = column.as_map();
            let keys = map.keys().as_string::<i32>();
            let kept: Vec<bool> = keys
                .iter()
                .map(|k| k.is_some_and(|k| policy.attributes_keep.contains(k)))
                .collect();
            let values = strings(
                map.values().as_string::<i32>(),
                action,
                policy,
                Some(&kept),
                cache,
            );
            let entries = map.entries();
            let entries = StructArray::try_new(
                entries.fields().clone(),
                vec![entries.column(0).clone(), Arc::new(values)],
                entries.nulls().cloned(),
            )
            .expect("same fields and length");
            Arc::new(
                MapArray::try_new(
                    field.clone(),
                    map.offsets().clone(),
                    entries,
                    map.nulls().cloned(),
                    *ordered,
                )
                .expect("same offsets and length"),
            )
        }
        // The schema check admits only the types above.
        other => unreachable!("personal-data column of type {other}"),
    }
}

/// Every value of `values` rewritten by `action`, except those `kept`.
fn strings<'a>(
    values: &'a StringArray,
    action: Action,
    policy: &PiiPolicy,
    kept: Option<&[bool]>,
    cache: &mut HashCache<'a>,
) -> StringArray {
    let per_value = match action {
        Action::Hash => 64,
        _ => values.value_data().len() / values.len().max(1) + 1,
    };
    let mut out = StringBuilder::with_capacity(values.len(), values.len() * per_value);
    let mut buf = String::with_capacity(64);
    for (i, v) in values.iter().enumerate() {
        match v {
            None => out.append_null(),
            Some(v) if kept.is_some_and(|k| k[i]) => out.append_value(v),
            Some(v) if action == Action::Hash => {
                out.append_value(cache.get_or_hash(v, policy, &mut buf))
            }
            Some(v) => {
                if policy.transform_into(v, action, &mut buf) {
                    out.append_value(&buf);
                } else {
                    out.append_null();
                }
            }
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::transform::pii::PiiSpec;
    use arrow::array::{ListBuilder, MapBuilder};

    fn policy(default: &str) -> PiiPolicy {
        PiiPolicy::resolve(&PiiSpec {
            default: Some(default.into()),
            key: Some(Secret::new("k")),
            attributes_keep: vec!["queue".into()],
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn lists_are_redacted_element_by_element_and_nulls_stay_null() {
        let mut b = ListBuilder::new(StringBuilder::new());
        b.append_value([Some("+15550001"), None, Some("+15550002")]);
        b.append_null();
        let col: ArrayRef = Arc::new(b.finish());
        let out = redact(
            &col,
            Action::Last4,
            &policy("keep"),
            &mut HashCache::default(),
        );
        let list = out.as_list::<i32>();
        assert!(list.is_null(1));
        let first = list.value(0);
        let v: Vec<_> = first.as_string::<i32>().iter().collect();
        assert_eq!(v, [Some("*****0001"), None, Some("*****0002")]);
        let dropped = redact(
            &col,
            Action::Drop,
            &policy("drop"),
            &mut HashCache::default(),
        );
        assert_eq!(dropped.null_count(), 2);
    }

    #[test]
    fn map_values_are_redacted_unless_their_key_is_kept() {
        let mut b = MapBuilder::new(None, StringBuilder::new(), StringBuilder::new());
        b.keys().append_value("queue");
        b.values().append_value("Sales");
        b.keys().append_value("account");
        b.values().append_value("ACC-1");
        b.append(true).unwrap();
        let col: ArrayRef = Arc::new(b.finish());
        let p = policy("hash");
        let out = redact(&col, Action::Hash, &p, &mut HashCache::default());
        let map = out.as_map();
        let keys: Vec<_> = map.keys().as_string::<i32>().iter().flatten().collect();
        let values: Vec<_> = map.values().as_string::<i32>().iter().flatten().collect();
        assert_eq!(keys, ["queue", "account"]);
        assert_eq!(values[0], "Sales");
        let mut want = String::new();
        p.transform_into("ACC-1", Action::Hash, &mut want);
        assert_eq!(values[1], want);
        assert_eq!(want.len(), 64);
        let dropped = redact(&col, Action::Drop, &p, &mut HashCache::default());
        assert_eq!(dropped.as_map().values().null_count(), 1);
    }

    #[test]
    fn repeated_values_hash_the_same_through_the_cache() {
        let p = policy("hash");
        let col: ArrayRef = Arc::new(StringArray::from(vec![
            Some("+15550001"),
            None,
            Some("+15550002"),
            Some("+15550001"),
        ]));
        let mut cache = HashCache::default();
        let out = redact(&col, Action::Hash, &p, &mut cache);
        let again = redact(&col, Action::Hash, &p, &mut cache);
        let out = out.as_string::<i32>();
        let mut want = String::new();
        for (i, v) in [(0, "+15550001"), (2, "+15550002"), (3, "+15550001")] {
            p.transform_into(v, Action::Hash, &mut want);
            assert_eq!(out.value(i), want);
            assert_eq!(again.as_string::<i32>().value(i), want);
        }
        assert!(out.is_null(1));
    }
}
