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

use crate::sources::PageMeta;
use crate::Vendor;
use arrow::array::ArrayRef;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

mod columns;
mod cxone;
mod genesys;
mod reason;
mod records;
pub mod schema;
mod seen;
mod time;

#[cfg(test)]
mod tests;

pub use cxone::cxone_page;
pub use genesys::genesys_page;
pub use seen::SeenIds;
pub use time::parse_micros as parse_timestamp_micros;

/// An output table. The order of the variants is the order of [`Table::all`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// One row per conversation, unified across vendors.
    Conversations,
    /// Genesys: one row per participant.
    GenesysParticipants,
    /// Genesys: one row per participant session.
    GenesysSessions,
    /// Genesys: one row per session segment.
    GenesysSegments,
    /// Genesys: one row per session metric.
    GenesysMetrics,
    /// CXone: one row per completed contact.
    CxoneContacts,
}

const ALL: [Table; 6] = [
    Table::Conversations,
    Table::GenesysParticipants,
    Table::GenesysSessions,
    Table::GenesysSegments,
    Table::GenesysMetrics,
    Table::CxoneContacts,
];

/// CXone's tables in the order of [`cxone_page`]'s batches.
const CXONE: [Table; 2] = [Table::Conversations, Table::CxoneContacts];

/// Raw definitions, indexed like [`ALL`].
const DEFINITIONS: [&str; 6] = [
    include_str!("../../schemas/conversations.json"),
    include_str!("../../schemas/genesys_participants.json"),
    include_str!("../../schemas/genesys_sessions.json"),
    include_str!("../../schemas/genesys_segments.json"),
    include_str!("../../schemas/genesys_metrics.json"),
    include_str!("../../schemas/cxone_contacts.json"),
];

fn definitions() -> &'static [schema::TableDef] {
    static DEFS: OnceLock<Vec<schema::TableDef>> = OnceLock::new();
    DEFS.get_or_init(|| {
        ALL.iter()
            .map(|t| {
                let def = schema::parse_definition(t.definition_json())
                    // Embedded at build time and covered by tests: a failure
                    // here is a broken build, not a runtime condition.
                    .unwrap_or_else(|e| panic!("schemas/{}.json: {e}", t.name()));
                assert_eq!(
                    def.table,
                    t.name(),
                    "schemas/{}.json names another table",
                    t.name()
                );
                def
            })
            .collect()
    })
}

impl Table {
    fn index(self) -> usize {
        self as usize
    }

    /// Table name: output folder and `schemas/<name>.json`.
    pub fn name(self) -> &'static str {
        match self {
            Table::Conversations => "conversations",
            Table::GenesysParticipants => "genesys_participants",
            Table::GenesysSessions => "genesys_sessions",
            Table::GenesysSegments => "genesys_segments",
            Table::GenesysMetrics => "genesys_metrics",
            Table::CxoneContacts => "cxone_contacts",
        }
    }

    /// The Arrow schema declared in `schemas/<name>.json` (parsed once).
    pub fn schema(self) -> SchemaRef {
        definitions()[self.index()].schema.clone()
    }

    /// The raw `schemas/<name>.json` text, descriptions included.
    pub fn definition_json(self) -> &'static str {
        DEFINITIONS[self.index()]
    }

    /// What one row of the table is.
    pub fn description(self) -> &'static str {
        &definitions()[self.index()].description
    }

    /// The columns that identify a row.
    pub fn natural_key(self) -> &'static [String] {
        &definitions()[self.index()].natural_key
    }

    /// Every table, in a fixed order.
    pub fn all() -> &'static [Table] {
        &ALL
    }

    /// The tables a vendor's pages produce, in the order of
    /// [`PageOutput::batches`].
    pub fn for_vendor(v: Vendor) -> &'static [Table] {
        match v {
            Vendor::Genesys => &ALL[..5],
            Vendor::Cxone => &CXONE,
        }
    }

    /// The table called `s`, if any.
    pub fn from_name(s: &str) -> Option<Table> {
        ALL.iter().copied().find(|t| t.name() == s)
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
    /// One batch per table of the vendor ([`Table::for_vendor`] order), possibly empty.
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
fn make_batch(table: Table, columns: Vec<(&'static str, ArrayRef)>) -> TableBatch {
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
