//! Raw vendor pages → Arrow record batches in the declared table schemas.
//!
//! The tables, their columns and types are declared once in `schemas/*.json`
//! (embedded at build time, see [`schema`]); [`Table::schema`] is the Arrow
//! form every produced batch carries exactly. Partition columns (vendor,
//! date) live in the output path and are not part of these schemas.
//!
//! A page is parsed once, typed and borrowed (strings point into the page
//! body), and the columns are built straight from it. A record that does not
//! fit the model is quarantined with the reason and its raw JSON; the rest
//! of the page is still written. Only a body that is not a page at all is an
//! error ([`PageError`]).

use crate::connector::PageMeta;
use arrow::array::ArrayRef;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

pub mod columns;
pub mod json_table;
pub mod pii;
pub mod reason;
pub mod records;
pub mod schema;
mod seen;
mod time;

#[cfg(test)]
mod tests;

pub use seen::SeenIds;
pub use time::parse_micros as parse_timestamp_micros;

/// Every `schemas/<name>.json`, embedded by `build.rs` in name order.
const DEFINITIONS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/schemas.rs"));

fn definitions() -> &'static [schema::TableDef] {
    static DEFS: OnceLock<Vec<schema::TableDef>> = OnceLock::new();
    DEFS.get_or_init(|| {
        DEFINITIONS
            .iter()
            .map(|(name, json)| {
                let def = schema::parse_definition(json)
                    // Embedded at build time and covered by tests: a failure
                    // here is a broken build, not a runtime condition.
                    .unwrap_or_else(|e| panic!("schemas/{name}.json: {e}"));
                assert_eq!(&def.table, name, "schemas/{name}.json names another table");
                def
            })
            .collect()
    })
}

/// An output table: a handle on its declaration in `schemas/`. Streams name
/// their tables with [`Table::named`]; nothing here knows which exist.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Table(u16);

impl Table {
    fn def(self) -> &'static schema::TableDef {
        &definitions()[usize::from(self.0)]
    }

    /// The table declared as `schemas/<name>.json`.
    ///
    /// # Panics
    /// When no such file exists: stream code names its tables statically,
    /// so this is a programming error that every test of the stream hits.
    pub fn named(name: &str) -> Table {
        Table::from_name(name).unwrap_or_else(|| panic!("no schemas/{name}.json"))
    }

    /// The table called `s`, if one is declared.
    pub fn from_name(s: &str) -> Option<Table> {
        let i = definitions().iter().position(|d| d.table == s)?;
        Some(Table(u16::try_from(i).expect("fewer than 65536 tables")))
    }

    /// Every declared table, in name order.
    pub fn all() -> Vec<Table> {
        (0..definitions().len())
            .map(|i| Table(u16::try_from(i).expect("fewer than 65536 tables")))
            .collect()
    }

    /// Table name: output folder and `schemas/<name>.json`.
    pub fn name(self) -> &'static str {
        &self.def().table
    }

    /// The Arrow schema declared in `schemas/<name>.json` (parsed once).
    pub fn schema(self) -> SchemaRef {
        self.def().schema.clone()
    }

    /// The raw `schemas/<name>.json` text, descriptions included.
    pub fn definition_json(self) -> &'static str {
        DEFINITIONS[usize::from(self.0)].1
    }

    /// What one row of the table is.
    pub fn description(self) -> &'static str {
        &self.def().description
    }

    /// The columns that identify a row; the first names the record that
    /// owns the row (a conversation, a contact), which re-slicing follows.
    pub fn natural_key(self) -> &'static [String] {
        &self.def().natural_key
    }

    /// The timestamp column that places a row in a slice and a date
    /// partition, when the row carries it itself; rows without one follow
    /// the owner named by the first natural-key column.
    pub fn time_column(self) -> Option<&'static str> {
        self.def().time_column.as_deref()
    }

    /// The declared column names, in order.
    pub fn column_names(self) -> impl Iterator<Item = &'static str> {
        self.def().columns.iter().map(|c| c.name.as_str())
    }

    /// The declared columns with their descriptions and PII classes.
    pub fn columns(self) -> &'static [schema::ColumnDef] {
        &self.def().columns
    }

    /// The Hive partition column of the path: `date` or `snapshot_date`.
    pub fn partition_column(self) -> &'static str {
        &self.def().partition
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The rows one page contributes to one table.
#[derive(Debug, Clone)]
pub struct TableBatch {
    /// Which table.
    pub table: Table,
    /// Rows in exactly `table.schema()`.
    pub batch: RecordBatch,
}

/// A record that could not be transformed, kept verbatim for `_quarantine/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRecord {
    /// Which field is wrong and why.
    pub reason: String,
    /// The record's raw JSON text as received.
    pub raw: String,
    /// The start that owns it, when the vendor's start field could be read.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Counters of one page, summed by the caller into the run summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageStats {
    /// Rows written to `conversations`.
    pub conversations: u64,
    /// Of those, rows with a duration (ended conversations).
    pub ended: u64,
    /// Sum of `duration_ms` written.
    pub duration_ms_sum: i64,
    /// Skipped: start outside the slice (jobs return overlapping conversations).
    pub out_of_window: u64,
    /// Skipped: conversation id already written in this slice.
    pub duplicates: u64,
}

/// Everything one page produced.
#[derive(Debug, Clone)]
pub struct PageOutput {
    /// Paging facts for the source.
    pub meta: PageMeta,
    /// One batch per table of the stream, possibly empty.
    pub batches: Vec<TableBatch>,
    /// Records that could not be transformed.
    pub quarantined: Vec<QuarantinedRecord>,
    /// Counters.
    pub stats: PageStats,
}

/// A body that is not a page at all. Bad records inside a page are not
/// errors: they are quarantined.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Not JSON, not an object, or an envelope field of the wrong type.
    #[error("malformed page: {0}")]
    Malformed(String),
}

/// Maps a vendor media type onto the shared vocabulary of
/// `conversations.media_type`: voice, chat, email, message, callback, video,
/// cobrowse, screenshare, unknown. A value outside it is passed through
/// lowercased (never rejected), so a new vendor medium shows up as itself.
/// Borrows when the input is already normalized (the common case).
pub fn normalize_media_type(s: &str) -> Cow<'_, str> {
    const KNOWN: [&str; 9] = [
        "voice",
        "chat",
        "email",
        "message",
        "callback",
        "video",
        "cobrowse",
        "screenshare",
        "unknown",
    ];
    if KNOWN.contains(&s) {
        return Cow::Borrowed(s);
    }
    let lower = s.trim().to_ascii_lowercase();
    let mapped = match lower.as_str() {
        "" => "unknown",
        // Aliases seen across vendors (CXone: PhoneCall, SMS, ...).
        "phonecall" | "phone call" | "phone" | "call" | "telephony" | "audio" => "voice",
        "sms" | "messaging" | "digital" => "message",
        "e-mail" | "mail" => "email",
        "webchat" | "web chat" => "chat",
        other => return Cow::Owned(other.to_owned()),
    };
    Cow::Borrowed(mapped)
}

/// Assembles a batch, insisting that the builder code and the declared
/// schema agree column by column: a mismatch is a programming error that
/// every test page would hit, so it panics loudly instead of writing a file
/// whose columns are silently shifted.
pub fn make_batch(table: Table, columns: Vec<(&'static str, ArrayRef)>) -> TableBatch {
    let schema = table.schema();
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let declared: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names, declared,
        "builder columns differ from schemas/{table}.json"
    );
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    let batch = RecordBatch::try_new(schema, arrays)
        .unwrap_or_else(|e| panic!("built columns do not fit schemas/{table}.json: {e}"));
    TableBatch { table, batch }
}
