//! Redaction of built Arrow columns: text, lists of text (element by
//! element) and maps of text (participant attributes: each value unless its
//! key is kept).

use super::policy::{Action, PiiPolicy};
use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, ListArray, MapArray, StringArray, StringBuilder,
    StructArray,
};
use arrow::datatypes::DataType;
use std::sync::Arc;

/// `column` with every value rewritten by `action`.
pub(super) fn redact(column: &ArrayRef, action: Action, policy: &PiiPolicy) -> ArrayRef {
    match column.data_type() {
        DataType::Utf8 if action == Action::Drop => {
            new_null_array(column.data_type(), column.len())
        }
        DataType::Utf8 => Arc::new(strings(column.as_string::<i32>(), action, policy, None)),
        DataType::List(_) if action == Action::Drop => {
            new_null_array(column.data_type(), column.len())
        }
        DataType::List(field) => {
            let list = column.as_list::<i32>();
            let values = strings(list.values().as_string::<i32>(), action, policy, None);
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
            let values = strings(map.values().as_string::<i32>(), action, policy, Some(&kept));
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
fn strings(
    values: &StringArray,
    action: Action,
    policy: &PiiPolicy,
    kept: Option<&[bool]>,
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
