//! Directory records → Arrow by a declared column → JSON path mapping.
//!
//! Directories (users, queues, skills, …) are small — thousands of rows a
//! day, not millions — and wide, so they are built generically from parsed
//! `serde_json::Value`s instead of with a typed model per endpoint as the
//! conversation streams are. A stream maps each column of its table to an
//! expression over the vendor's record: a path (`division.id`, and
//! `skills[].id` for a list), the first present of several (`userID|userId`,
//! for spellings that differ between API versions), a space-joined
//! concatenation (`firstName+lastName`) or a test (`state=active`); the
//! types come from `schemas/`. Values are read leniently (a number sent as a
//! string is still a number); a record whose required column is missing or
//! unreadable is quarantined with the column named.

use super::{
    make_batch, PageError, PageOutput, PageStats, QuarantinedRecord, SeenIds, Table, TableBatch,
};
use crate::connector::PageMeta;
use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, ListBuilder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::DataType;
use serde_json::Value;
use std::sync::Arc;

/// One step of a path: a key, and whether the value there is a list whose
/// elements the rest of the path applies to (`skills[]`).
#[derive(Debug, Clone)]
struct Step {
    key: String,
    each: bool,
}

type Path = Vec<Step>;

/// What a column reads from a record.
#[derive(Debug, Clone)]
enum Expr {
    /// The value (or values, under `[]`) at a path.
    Path(Path),
    /// The first of several paths that has a value.
    FirstOf(Vec<Path>),
    /// The texts at several paths, joined by a space.
    Concat(Vec<Path>),
    /// Whether the text at a path equals a literal.
    Equals(Path, String),
}

impl Expr {
    fn parse(text: &str) -> Expr {
        let path = |p: &str| -> Path {
            p.split('.')
                .map(|s| Step {
                    key: s.trim_end_matches("[]").to_string(),
                    each: s.ends_with("[]"),
                })
                .collect()
        };
        if let Some((p, literal)) = text.split_once('=') {
            Expr::Equals(path(p), literal.to_string())
        } else if text.contains('|') {
            Expr::FirstOf(text.split('|').map(path).collect())
        } else if text.contains('+') {
            Expr::Concat(text.split('+').map(path).collect())
        } else {
            Expr::Path(path(text))
        }
    }

    fn values(&self, record: &Value) -> Vec<Value> {
        let owned = |v: Vec<&Value>| v.into_iter().cloned().collect();
        match self {
            Expr::Path(p) => owned(lookup(record, p)),
            Expr::FirstOf(paths) => paths
                .iter()
                .map(|p| lookup(record, p))
                .find(|v| !v.is_empty())
                .map(owned)
                .unwrap_or_default(),
            Expr::Concat(paths) => {
                let parts: Vec<String> = paths
                    .iter()
                    .filter_map(|p| lookup(record, p).first().and_then(|v| as_text(v)))
                    .filter(|s| !s.is_empty())
                    .collect();
                if parts.is_empty() {
                    vec![]
                } else {
                    vec![Value::String(parts.join(" "))]
                }
            }
            Expr::Equals(p, literal) => match lookup(record, p).first().and_then(|v| as_text(v)) {
                Some(text) => vec![Value::Bool(text.eq_ignore_ascii_case(literal))],
                None => vec![],
            },
        }
    }

    /// Whether a list column has a list at all (absent is null, `[]` is empty).
    fn list_present(&self, record: &Value) -> bool {
        match self {
            Expr::Path(p) => is_present(record, p),
            _ => !self.values(record).is_empty(),
        }
    }
}

/// How one column is read from a record.
#[derive(Debug, Clone)]
struct Column {
    name: &'static str,
    ty: DataType,
    nullable: bool,
    expr: Option<Expr>,
}

/// A table built from JSON records.
#[derive(Debug, Clone)]
pub struct JsonTable {
    table: Table,
    columns: Vec<Column>,
}

impl JsonTable {
    /// `table` with each `(column, expression)` of `mapping`; columns left out are
    /// null (they must be nullable).
    ///
    /// # Panics
    /// On a column the schema does not declare, a required column without a
    /// path, or a column type this builder does not read: stream
    /// definitions are static, so every test of the stream hits these.
    pub fn new(table: Table, mapping: &[(&'static str, &str)]) -> Self {
        for (name, _) in mapping {
            assert!(
                table.schema().field_with_name(name).is_ok(),
                "{table} has no column {name}"
            );
        }
        let schema = table.schema();
        let columns = schema
            .fields()
            .iter()
            .zip(table.column_names())
            .map(|(f, name)| {
                let expr = mapping
                    .iter()
                    .find(|(c, _)| *c == name)
                    .map(|(_, e)| Expr::parse(e));
                assert!(
                    expr.is_some() || f.is_nullable(),
                    "{table}.{name} is required but has no path"
                );
                assert!(readable(f.data_type()), "{table}.{name}: unsupported type");
                Column {
                    name,
                    ty: f.data_type().clone(),
                    nullable: f.is_nullable(),
                    expr,
                }
            })
            .collect();
        JsonTable { table, columns }
    }

    /// One [`JsonTable`] per `(table name, mapping)`, as streams declare them.
    pub fn each(mappings: &[(&str, &[(&'static str, &str)])]) -> Vec<JsonTable> {
        mappings
            .iter()
            .map(|(t, mapping)| JsonTable::new(Table::named(t), mapping))
            .collect()
    }

    /// The table built.
    pub fn table(&self) -> Table {
        self.table
    }

    /// Why `record` cannot become a row, if it cannot.
    pub fn check(&self, record: &Value) -> Result<(), String> {
        for c in self.columns.iter().filter(|c| !c.nullable) {
            let values = c
                .expr
                .as_ref()
                .map(|e| e.values(record))
                .unwrap_or_default();
            let ok = match &c.ty {
                DataType::List(_) => true,
                ty => values.first().is_some_and(|v| scalar_ok(ty, v)),
            };
            if !ok {
                return Err(format!("{}: required, missing or unreadable", c.name));
            }
        }
        Ok(())
    }

    /// The batch of `records` (each passed [`JsonTable::check`]).
    pub fn build(&self, records: &[&Value]) -> TableBatch {
        let columns = self
            .columns
            .iter()
            .map(|c| (c.name, self.column(c, records)))
            .collect();
        make_batch(self.table, columns)
    }

    fn column(&self, c: &Column, records: &[&Value]) -> ArrayRef {
        let n = records.len();
        fn values(c: &Column, r: &Value) -> Vec<Value> {
            c.expr.as_ref().map(|e| e.values(r)).unwrap_or_default()
        }
        macro_rules! scalar {
            ($builder:expr, $read:expr) => {{
                let mut b = $builder;
                for r in records {
                    b.append_option(values(c, r).first().and_then(|v| $read(v)));
                }
                Arc::new(b.finish()) as ArrayRef
            }};
        }
        match &c.ty {
            DataType::Utf8 => scalar!(StringBuilder::with_capacity(n, n * 16), as_text),
            DataType::Int64 => scalar!(Int64Builder::with_capacity(n), as_i64),
            DataType::Int32 => scalar!(Int32Builder::with_capacity(n), |v| as_i64(v)
                .and_then(|i| i32::try_from(i).ok())),
            DataType::Float64 => scalar!(Float64Builder::with_capacity(n), as_f64),
            DataType::Boolean => scalar!(BooleanBuilder::with_capacity(n), as_bool),
            DataType::Timestamp(_, tz) => {
                let mut b =
                    TimestampMicrosecondBuilder::with_capacity(n).with_timezone_opt(tz.clone());
                for r in records {
                    b.append_option(values(c, r).first().and_then(as_micros));
                }
                Arc::new(b.finish())
            }
            DataType::List(_) => {
                let mut b = ListBuilder::new(StringBuilder::new());
                for r in records {
                    let items = values(c, r);
                    let present = c.expr.as_ref().is_some_and(|e| e.list_present(r));
                    if present {
                        for v in &items {
                            b.values().append_option(as_text(v));
                        }
                        b.append(true);
                    } else {
                        b.append(false);
                    }
                }
                Arc::new(b.finish())
            }
            other => unreachable!("checked in JsonTable::new: {other}"),
        }
    }
}

/// Splits records into those every table can take and the quarantined rest.
pub fn accept<'v>(
    tables: &[JsonTable],
    records: &[&'v Value],
    field: &str,
) -> (Vec<&'v Value>, Vec<QuarantinedRecord>) {
    let mut good = Vec::with_capacity(records.len());
    let mut bad = Vec::new();
    for (i, &r) in records.iter().enumerate() {
        let verdict = if r.is_object() {
            tables.iter().try_for_each(|t| t.check(r))
        } else {
            Err("record is not a JSON object".into())
        };
        match verdict {
            Ok(()) => good.push(r),
            Err(reason) => bad.push(QuarantinedRecord {
                reason: format!("{field}[{i}]: {reason}"),
                raw: r.to_string(),
                started_at: None,
            }),
        }
    }
    (good, bad)
}

/// One directory page: the records under `field` (dedupe by `id_field`
/// within the slice: listings overlap), built into each of `tables`. Returns
/// the output (without paging facts) and the envelope, for the vendor to
/// read its paging fields from.
pub fn page(
    body: &[u8],
    field: &str,
    id_field: &str,
    tables: &[JsonTable],
    seen: &mut SeenIds,
) -> Result<(PageOutput, Value), PageError> {
    let mut envelope: Value = serde_json::from_slice(body)
        .map_err(|e| PageError::Malformed(format!("directory page: {e}")))?;
    let records = match envelope.get_mut(field).map(Value::take) {
        Some(Value::Array(records)) => records,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            return Err(PageError::Malformed(format!("{field} is not an array")));
        }
    };
    let mut stats = PageStats::default();
    let fresh: Vec<&Value> = records
        .iter()
        .filter(|r| match r.get(id_field).and_then(as_text) {
            Some(id) if !seen.insert(&id) => {
                stats.duplicates += 1;
                false
            }
            _ => true,
        })
        .collect();
    let (good, quarantined) = accept(tables, &fresh, field);
    let batches = tables.iter().map(|t| t.build(&good)).collect();
    let meta = PageMeta {
        records: records.len(),
        ..PageMeta::default()
    };
    Ok((
        PageOutput {
            meta,
            batches,
            quarantined,
            stats,
        },
        envelope,
    ))
}

fn readable(ty: &DataType) -> bool {
    match ty {
        DataType::Utf8
        | DataType::Int64
        | DataType::Int32
        | DataType::Float64
        | DataType::Boolean
        | DataType::Timestamp(..) => true,
        DataType::List(item) => item.data_type() == &DataType::Utf8,
        _ => false,
    }
}

/// The values at `path`: one for a plain path, one per element under `[]`.
fn lookup<'v>(record: &'v Value, path: &[Step]) -> Vec<&'v Value> {
    let Some((step, rest)) = path.split_first() else {
        return if record.is_null() {
            vec![]
        } else {
            vec![record]
        };
    };
    match record.get(&step.key) {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) if step.each => {
            items.iter().flat_map(|v| lookup(v, rest)).collect()
        }
        Some(v) => lookup(v, rest),
    }
}

/// Whether the list at `path` exists at all (an absent list is null, an
/// empty one is an empty list).
fn is_present(record: &Value, path: &[Step]) -> bool {
    let mut v = record;
    for step in path {
        match v.get(&step.key) {
            None | Some(Value::Null) => return false,
            Some(next) if step.each => return next.is_array(),
            Some(next) => v = next,
        }
    }
    true
}

fn scalar_ok(ty: &DataType, v: &Value) -> bool {
    match ty {
        DataType::Utf8 => as_text(v).is_some_and(|s| !s.is_empty()),
        DataType::Int64 | DataType::Int32 => as_i64(v).is_some(),
        DataType::Float64 => as_f64(v).is_some(),
        DataType::Boolean => as_bool(v).is_some(),
        DataType::Timestamp(..) => as_micros(v).is_some(),
        _ => true,
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn as_micros(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| super::parse_timestamp_micros(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::Int64Type;

    #[test]
    fn expressions_types_lists_and_quarantine() {
        let agents = JsonTable::new(
            Table::named("cxone_agents"),
            &[
                ("agent_id", "agentId"),
                ("user_id", "userID|userId"),
                ("is_active", "isActive"),
                ("last_login", "lastLogin"),
                ("team_id", "team.id"),
            ],
        );
        let unified = JsonTable::new(
            Table::named("agents"),
            &[
                ("agent_id", "agentId"),
                ("name", "firstName+lastName"),
                ("active", "state=active"),
            ],
        );
        let users = JsonTable::new(
            Table::named("genesys_users"),
            &[("id", "agentId"), ("addresses", "addresses[].address")],
        );
        let records: Vec<Value> = serde_json::from_str(
            r#"[{"agentId":"17","userId":"u-1","isActive":"True","lastLogin":"2026-11-23T00:00:00Z",
                 "team":{"id":5},"firstName":"Ada","lastName":"Lovelace","state":"ACTIVE",
                 "addresses":[{"address":"+1"},{"address":"a@b"}]},
                {"agentId":18,"userID":"u-2","state":"deleted","addresses":[]},
                {"agentId":"x"},
                {"firstName":"nobody"},
                "not an object"]"#,
        )
        .unwrap();
        let tables = [agents.clone(), unified.clone(), users.clone()];
        let refs: Vec<&Value> = records.iter().collect();
        let (good, bad) = accept(&tables, &refs, "agents");
        assert_eq!((good.len(), bad.len()), (2, 3));
        assert!(
            bad[0].reason.starts_with("agents[2]: agent_id"),
            "{}",
            bad[0].reason
        );
        assert!(bad[2].reason.contains("not a JSON object"));

        let b = agents.build(&good).batch;
        let id = b
            .column_by_name("agent_id")
            .unwrap()
            .as_primitive::<Int64Type>();
        assert_eq!(
            (id.value(0), id.value(1)),
            (17, 18),
            "numbers sent as text are numbers"
        );
        let user = b.column_by_name("user_id").unwrap().as_string::<i32>();
        assert_eq!(
            (user.value(0), user.value(1)),
            ("u-1", "u-2"),
            "either spelling"
        );
        let active = b.column_by_name("is_active").unwrap().as_boolean();
        assert!(active.value(0) && active.is_null(1));
        assert!(b.column_by_name("last_login").unwrap().is_valid(0));
        assert_eq!(
            b.column_by_name("team_id")
                .unwrap()
                .as_primitive::<Int64Type>()
                .value(0),
            5
        );
        assert!(
            b.column_by_name("location").unwrap().is_null(0),
            "unmapped is null"
        );

        let u = unified.build(&good).batch;
        let name = u.column_by_name("name").unwrap().as_string::<i32>();
        assert_eq!(name.value(0), "Ada Lovelace");
        assert!(name.is_null(1));
        let active = u.column_by_name("active").unwrap().as_boolean();
        assert!(active.value(0) && !active.value(1));

        let l = users.build(&good).batch;
        let addresses = l.column_by_name("addresses").unwrap().as_list::<i32>();
        assert_eq!(addresses.value(0).len(), 2);
        assert!(addresses.is_valid(1) && addresses.value(1).is_empty());
    }
}
