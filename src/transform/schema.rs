//! Table definitions: `schemas/<table>.json` parsed into Arrow schemas.
//!
//! The JSON files are the single source of truth for column names, order,
//! types and nullability; they are embedded at build time so the binary
//! never depends on files at run time.
//!
//! Type vocabulary (whitespace-insensitive):
//! `utf8`, `int32`, `int64`, `float64`, `bool`, `timestamp[us, UTC]`,
//! `list<T>`, `map<K, V>`, `struct<name: T, ...>` (nests freely, e.g.
//! `list<struct<id: utf8, at: timestamp[us, UTC]>>`). List items, map values
//! and struct children are nullable; map keys are not (Arrow requires it).

use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use serde::Deserialize;
use std::sync::Arc;

/// Why a table definition or a type string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SchemaError(pub String);

/// One column as declared in a `schemas/*.json` file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    /// Column name (snake_case).
    pub name: String,
    /// Type in the vocabulary above.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the column may hold nulls.
    pub nullable: bool,
    /// What the column means, for analysts.
    pub description: String,
    /// What kind of personal data the column can hold, or that it holds
    /// none (`"pii": "none"`, which needs a `pii_reason`); absent: unmarked.
    #[serde(default, deserialize_with = "pii_mark")]
    pub pii: Option<PiiMark>,
    /// Why a column whose name suggests personal data holds none.
    #[serde(default)]
    pub pii_reason: Option<String>,
    /// Other JSON spellings of the field the vendor sends (legacy names),
    /// so quarantined raw records are redacted under those keys too.
    #[serde(default)]
    pub json_aliases: Vec<String>,
}

/// The kinds of personal data a column can hold (`"pii"` in `schemas/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiClass {
    /// Phone numbers (ANI, DNIS, callback numbers).
    Phone,
    /// Email addresses and login names that are email addresses.
    Email,
    /// Names of people.
    Name,
    /// Contact addresses (a phone number, email or SIP URI) and postal addresses.
    Address,
    /// Text people typed: notes, subjects, custom fields.
    FreeText,
    /// Arbitrary key/value data (Genesys participant attributes).
    Attributes,
}

impl PiiClass {
    /// The word used in `schemas/`.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiClass::Phone => "phone",
            PiiClass::Email => "email",
            PiiClass::Name => "name",
            PiiClass::Address => "address",
            PiiClass::FreeText => "free_text",
            PiiClass::Attributes => "attributes",
        }
    }
}

/// A column's `"pii"` marking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiMark {
    /// Holds this kind of personal data.
    Class(PiiClass),
    /// Looked at and holds none (the file says why).
    None,
}

impl ColumnDef {
    /// The kind of personal data the column holds, if any.
    pub fn pii_class(&self) -> Option<PiiClass> {
        match self.pii {
            Some(PiiMark::Class(c)) => Some(c),
            _ => None,
        }
    }
}

fn pii_mark<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PiiMark>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Class(PiiClass),
        Other(String),
    }
    match Raw::deserialize(d)? {
        Raw::Class(c) => Ok(Some(PiiMark::Class(c))),
        Raw::Other(s) if s == "none" => Ok(Some(PiiMark::None)),
        Raw::Other(s) => Err(serde::de::Error::custom(format!(
            "pii {s:?}: use phone, email, name, address, free_text, attributes or none"
        ))),
    }
}

/// A parsed `schemas/<table>.json`.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// Table name (also the output folder).
    pub table: String,
    /// What one row is.
    pub description: String,
    /// Columns that identify a row; the first names the owning record.
    pub natural_key: Vec<String>,
    /// The timestamp column that owns the row's slice and partition date,
    /// when the row carries it (see [`super::Table::time_column`]).
    pub time_column: Option<String>,
    /// The Hive partition column in the path: `date` (of the owning
    /// record's start) or `snapshot_date` (of a directory snapshot).
    pub partition: String,
    /// The declared columns in order.
    pub columns: Vec<ColumnDef>,
    /// The Arrow schema built from `columns`.
    pub schema: SchemaRef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDef {
    table: String,
    description: String,
    natural_key: Vec<String>,
    #[serde(default)]
    time_column: Option<String>,
    #[serde(default)]
    partition: Option<String>,
    columns: Vec<ColumnDef>,
}

/// Parses a table definition and checks it is internally consistent
/// (unique column names, natural key columns exist and are not nullable).
pub fn parse_definition(json: &str) -> Result<TableDef, SchemaError> {
    let raw: RawDef =
        serde_json::from_str(json).map_err(|e| SchemaError(format!("table definition: {e}")))?;
    let ctx = |msg: String| SchemaError(format!("table {}: {msg}", raw.table));
    let mut fields = Vec::with_capacity(raw.columns.len());
    for (i, c) in raw.columns.iter().enumerate() {
        if raw.columns[..i].iter().any(|p| p.name == c.name) {
            return Err(ctx(format!("column {} declared twice", c.name)));
        }
        let dt = parse_type(&c.ty).map_err(|e| ctx(format!("column {}: {e}", c.name)))?;
        check_pii(c, &dt).map_err(|e| ctx(format!("column {}: {e}", c.name)))?;
        fields.push(Field::new(&c.name, dt, c.nullable));
    }
    for k in &raw.natural_key {
        match raw.columns.iter().find(|c| &c.name == k) {
            None => return Err(ctx(format!("natural key column {k} is not declared"))),
            Some(c) if c.nullable => {
                return Err(ctx(format!("natural key column {k} must not be nullable")))
            }
            Some(_) => {}
        }
    }
    if raw.natural_key.is_empty() {
        return Err(ctx("natural_key must name at least one column".into()));
    }
    if let Some(t) = &raw.time_column {
        let ok = fields
            .iter()
            .any(|f| f.name() == t && matches!(f.data_type(), DataType::Timestamp(..)));
        if !ok {
            return Err(ctx(format!(
                "time_column {t} is not a declared timestamp column"
            )));
        }
    }
    let partition = raw.partition.unwrap_or_else(|| "date".into());
    if partition != "date" && partition != "snapshot_date" {
        return Err(ctx(format!(
            "partition {partition:?}: use date or snapshot_date"
        )));
    }
    if raw
        .columns
        .iter()
        .any(|c| c.name == partition || c.name == "vendor")
    {
        return Err(ctx(
            "partition columns live in the path, not in the file".into()
        ));
    }
    Ok(TableDef {
        schema: Arc::new(Schema::new(fields)),
        partition,
        time_column: raw.time_column,
        table: raw.table,
        description: raw.description,
        natural_key: raw.natural_key,
        columns: raw.columns,
    })
}

/// A personal-data column must be text (or a list or map of text) so it can
/// be hashed, and nullable so it can be dropped.
fn check_pii(c: &ColumnDef, dt: &DataType) -> Result<(), String> {
    match (c.pii, &c.pii_reason) {
        (None, None) => return Ok(()),
        (Some(PiiMark::None), Some(reason)) if !reason.trim().is_empty() => return Ok(()),
        (Some(PiiMark::None), _) => {
            return Err("\"pii\": \"none\" needs a pii_reason saying why".into())
        }
        (_, Some(_)) => return Err("pii_reason goes with \"pii\": \"none\" only".into()),
        (Some(PiiMark::Class(_)), None) => {}
    }
    if !c.nullable {
        return Err("a personal-data column must be nullable (drop writes null)".into());
    }
    let text = |t: &DataType| matches!(t, DataType::Utf8);
    let ok = match dt {
        DataType::Utf8 => true,
        DataType::List(item) => text(item.data_type()),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) => {
                kv.len() == 2 && text(kv[0].data_type()) && text(kv[1].data_type())
            }
            _ => false,
        },
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "personal-data columns are utf8, list<utf8> or map<utf8, utf8>, not {}",
            c.ty
        ))
    }
}

/// Parses one type string of the vocabulary into an Arrow type.
pub fn parse_type(s: &str) -> Result<DataType, SchemaError> {
    let mut p = TypeParser {
        toks: tokenize(s)?,
        pos: 0,
    };
    let dt = p.ty()?;
    match p.peek() {
        None => Ok(dt),
        Some(t) => Err(SchemaError(format!(
            "type {s:?}: unexpected {t:?} after the type"
        ))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Punct(char),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, SchemaError> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '<' | '>' | '[' | ']' | ',' | ':' => out.push(Tok::Punct(c)),
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Tok::Ident(s[i..end].to_string()));
            }
            other => {
                return Err(SchemaError(format!(
                    "type {s:?}: unexpected character {other:?}"
                )))
            }
        }
    }
    Ok(out)
}

struct TypeParser {
    toks: Vec<Tok>,
    pos: usize,
}

impl TypeParser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn err(&self, what: &str) -> SchemaError {
        SchemaError(format!("expected {what}, found {:?}", self.peek()))
    }

    fn punct(&mut self, c: char) -> Result<(), SchemaError> {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("{c:?}")))
        }
    }

    fn ident(&mut self) -> Result<String, SchemaError> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.err("a name")),
        }
    }

    fn ty(&mut self) -> Result<DataType, SchemaError> {
        let name = self.ident()?;
        Ok(match name.as_str() {
            "utf8" => DataType::Utf8,
            "int32" => DataType::Int32,
            "int64" => DataType::Int64,
            "float64" => DataType::Float64,
            "bool" => DataType::Boolean,
            "timestamp" => {
                self.punct('[')?;
                let unit = self.ident()?;
                self.punct(',')?;
                let tz = self.ident()?;
                self.punct(']')?;
                // Only one timestamp form is allowed so every table agrees.
                if unit != "us" || tz != "UTC" {
                    return Err(SchemaError(format!(
                        "only timestamp[us, UTC] is supported, found timestamp[{unit}, {tz}]"
                    )));
                }
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
            }
            "list" => {
                self.punct('<')?;
                let item = self.ty()?;
                self.punct('>')?;
                DataType::List(Arc::new(Field::new_list_field(item, true)))
            }
            "map" => {
                self.punct('<')?;
                let k = self.ty()?;
                self.punct(',')?;
                let v = self.ty()?;
                self.punct('>')?;
                // Names and nullability match arrow's MapBuilder defaults so
                // built arrays carry exactly the declared type.
                let entries = Fields::from(vec![
                    Field::new(Field::MAP_KEY_FIELD_DEFAULT_NAME, k, false),
                    Field::new(Field::MAP_VALUE_FIELD_DEFAULT_NAME, v, true),
                ]);
                DataType::Map(
                    Arc::new(Field::new(
                        Field::MAP_ENTRIES_FIELD_DEFAULT_NAME,
                        DataType::Struct(entries),
                        false,
                    )),
                    false,
                )
            }
            "struct" => {
                self.punct('<')?;
                let mut fields = Vec::new();
                loop {
                    let name = self.ident()?;
                    self.punct(':')?;
                    let t = self.ty()?;
                    if fields.iter().any(|f: &Field| f.name() == &name) {
                        return Err(SchemaError(format!("struct field {name} declared twice")));
                    }
                    fields.push(Field::new(name, t, true));
                    if self.peek() == Some(&Tok::Punct(',')) {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                self.punct('>')?;
                DataType::Struct(Fields::from(fields))
            }
            other => return Err(SchemaError(format!("unknown type {other:?}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_parses() {
        assert_eq!(parse_type("utf8").unwrap(), DataType::Utf8);
        assert_eq!(
            parse_type("timestamp[us, UTC]").unwrap(),
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(
            parse_type("list< int32 >").unwrap(),
            DataType::List(Arc::new(Field::new_list_field(DataType::Int32, true)))
        );
        let m = parse_type("map<utf8, utf8>").unwrap();
        assert!(matches!(m, DataType::Map(_, false)));
        let s =
            parse_type("list<struct<id: utf8, at: timestamp[us, UTC], n: list<int64>>>").unwrap();
        let DataType::List(item) = s else {
            panic!("{s:?}")
        };
        let DataType::Struct(fs) = item.data_type() else {
            panic!("{item:?}")
        };
        assert_eq!(fs.len(), 3);
        assert_eq!(fs[2].data_type(), &parse_type("list<int64>").unwrap());
    }

    #[test]
    fn bad_types_are_rejected_with_a_reason() {
        for bad in [
            "text",
            "list<utf8",
            "timestamp[ms, UTC]",
            "map<utf8>",
            "utf8 utf8",
            "struct<>",
            "struct<a: utf8, a: int32>",
        ] {
            assert!(parse_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn definitions_are_checked() {
        let nullable_key = r#"{"table":"t","description":"d","natural_key":["a"],
            "columns":[{"name":"a","type":"utf8","nullable":true,"description":""}]}"#;
        assert!(parse_definition(nullable_key)
            .unwrap_err()
            .0
            .contains("must not be nullable"));
        let dup = r#"{"table":"t","description":"d","natural_key":[],
            "columns":[{"name":"a","type":"utf8","nullable":true,"description":""},
                       {"name":"a","type":"utf8","nullable":true,"description":""}]}"#;
        assert!(parse_definition(dup).unwrap_err().0.contains("twice"));
    }
}
