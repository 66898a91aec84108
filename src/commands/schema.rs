//! `cxetl schema [TABLE] [--format json|ddl]`.

use crate::cli::{SchemaArgs, SchemaFormat};
use arrow::datatypes::{DataType, Field, TimeUnit};
use cxetl::transform::Table;
use cxetl::{Error, Result};

pub fn schema(args: SchemaArgs) -> Result<()> {
    let tables: Vec<Table> = match &args.table {
        Some(name) => vec![Table::from_name(name).ok_or_else(|| {
            let names: Vec<_> = Table::all().iter().map(|t| t.name()).collect();
            Error::Config(format!(
                "unknown table {name:?}; tables: {}",
                names.join(", ")
            ))
        })?],
        None => Table::all().to_vec(),
    };
    for table in tables {
        match args.format {
            SchemaFormat::Json => println!("{}", table.definition_json().trim_end()),
            SchemaFormat::Ddl => println!("{}", create_table(table)),
        }
    }
    Ok(())
}

/// DuckDB `CREATE TABLE` for a table, partition columns included so the DDL
/// matches what `read_parquet(..., hive_partitioning = true)` returns.
fn create_table(table: Table) -> String {
    let schema = table.schema();
    let mut cols: Vec<String> = schema
        .fields()
        .iter()
        .zip(table.columns())
        .map(|(f, def)| {
            format!(
                "    {} {}{}{}",
                f.name(),
                sql_type(f.data_type()),
                if f.is_nullable() { "" } else { " NOT NULL" },
                def.pii_class()
                    .map(|class| format!(" /* pii: {} */", class.as_str()))
                    .unwrap_or_default()
            )
        })
        .collect();
    cols.push("    vendor VARCHAR NOT NULL".into());
    cols.push("    date DATE NOT NULL".into());
    format!("CREATE TABLE {} (\n{}\n);", table.name(), cols.join(",\n"))
}

fn sql_type(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        DataType::Int32 => "INTEGER".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => "TIMESTAMPTZ".into(),
        DataType::Timestamp(_, _) => "TIMESTAMP".into(),
        DataType::List(f) | DataType::LargeList(f) => format!("{}[]", sql_type(f.data_type())),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                format!(
                    "MAP({}, {})",
                    sql_type(kv[0].data_type()),
                    sql_type(kv[1].data_type())
                )
            }
            other => format!("/* {other} */ VARCHAR"),
        },
        DataType::Struct(fields) => format!(
            "STRUCT({})",
            fields
                .iter()
                .map(|f: &std::sync::Arc<Field>| format!(
                    "{} {}",
                    f.name(),
                    sql_type(f.data_type())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => format!("/* {other} */ VARCHAR"),
    }
}
