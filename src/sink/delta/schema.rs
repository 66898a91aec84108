//! A table's Delta schema (`metaData.schemaString`) from its declared Arrow
//! schema (`schemas/*.json`): the data columns in file order, then the
//! partition columns, whose values live in the path (`vendor`, then `date`
//! or `snapshot_date`).

use crate::transform::Table;
use arrow::datatypes::{DataType, Field, TimeUnit};
use serde_json::{json, Value};

/// The columns a table is partitioned by, in path order.
pub fn partition_columns(table: Table) -> Vec<String> {
    vec!["vendor".to_string(), table.partition_column().to_string()]
}

/// Delta's JSON schema of `table`.
pub fn schema_string(table: Table) -> String {
    let schema = table.schema();
    let mut fields: Vec<Value> = schema.fields().iter().map(|f| field(f)).collect();
    fields.push(json!({"name": "vendor", "type": "string", "nullable": true, "metadata": {}}));
    fields.push(
        json!({"name": table.partition_column(), "type": "date", "nullable": true, "metadata": {}}),
    );
    json!({"type": "struct", "fields": fields}).to_string()
}

fn field(f: &Field) -> Value {
    json!({
        "name": f.name(),
        "type": data_type(f.data_type()),
        "nullable": f.is_nullable(),
        "metadata": {},
    })
}

/// Delta's name for an Arrow type of the schema vocabulary.
///
/// # Panics
/// On a type `schemas/` cannot declare (its parser refuses them first).
fn data_type(t: &DataType) -> Value {
    match t {
        DataType::Utf8 => json!("string"),
        DataType::Int32 => json!("integer"),
        DataType::Int64 => json!("long"),
        DataType::Float64 => json!("double"),
        DataType::Boolean => json!("boolean"),
        DataType::Date32 => json!("date"),
        // Delta's `timestamp` is microseconds adjusted to UTC: what the files hold.
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => json!("timestamp"),
        DataType::List(item) => json!({
            "type": "array",
            "elementType": data_type(item.data_type()),
            "containsNull": item.is_nullable(),
        }),
        DataType::Map(entries, _) => {
            let DataType::Struct(kv) = entries.data_type() else {
                unreachable!("a map's entries are a struct")
            };
            json!({
                "type": "map",
                "keyType": data_type(kv[0].data_type()),
                "valueType": data_type(kv[1].data_type()),
                "valueContainsNull": kv[1].is_nullable(),
            })
        }
        DataType::Struct(fields) => json!({
            "type": "struct",
            "fields": fields.iter().map(|f| field(f)).collect::<Vec<_>>(),
        }),
        other => unreachable!("schemas/ declares no {other} column"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_table_has_a_delta_schema_with_its_partition_columns_last() {
        for table in Table::all() {
            let s: Value = serde_json::from_str(&schema_string(table)).unwrap();
            let fields = s["fields"].as_array().unwrap();
            assert_eq!(fields.len(), table.schema().fields().len() + 2, "{table:?}");
            let names: Vec<&str> = fields[fields.len() - 2..]
                .iter()
                .map(|f| f["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, partition_columns(table), "{table:?}");
        }
        let conv: Value =
            serde_json::from_str(&schema_string(Table::named("conversations"))).unwrap();
        assert_eq!(conv["fields"][1]["type"], "timestamp");
        assert_eq!(
            conv["fields"][8]["type"],
            json!({"type": "array", "elementType": "string", "containsNull": true})
        );
    }
}
