//! The record plumbing both vendors' transforms share: streaming a page's
//! record array into a sink one record at a time (fast path), and the
//! per-record parse that quarantines the records that do not fit (slow path).

use super::reason::type_error_reason;
use super::QuarantinedRecord;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Receives the records of a page, one at a time, as they are deserialized.
pub(crate) trait RecordSink {
    /// The vendor's borrowed record model.
    type Record<'de>: Deserialize<'de>;

    /// Validates and writes (or counts) one record; the reason when it is bad.
    fn accept(&mut self, record: &Self::Record<'_>) -> Result<(), String>;

    /// Counts a record read from the page, good or bad.
    fn count_record(&mut self);

    /// The start that owns a raw record, read as leniently as possible,
    /// so a quarantined record follows its slice when files are re-sliced.
    fn owner_start(raw: &str) -> Option<chrono::DateTime<chrono::Utc>>;
}

/// The record array (`null` or an array): each element goes to the sink
/// as soon as it is read, so only one record's structs are alive at a time.
/// Yields true when an array was read. A bad record fails the whole pass;
/// the caller then takes the slow path.
pub(crate) struct RecordsSeed<'s, S> {
    pub sink: &'s mut S,
    /// What the array holds, for serde's error message.
    pub expecting: &'static str,
}

impl<'de, S: RecordSink> DeserializeSeed<'de> for RecordsSeed<'_, S> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: RecordSink> Visitor<'de> for RecordsSeed<'_, S> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.expecting)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(r) = seq.next_element::<S::Record<'de>>()? {
            self.sink.count_record();
            self.sink.accept(&r).map_err(de::Error::custom)?;
        }
        Ok(true)
    }
}

/// Slow path: parses each raw record on its own and hands the good ones to
/// the sink; the others come back quarantined, with `field[i]: reason`.
pub(crate) fn accept_each<S: RecordSink>(
    sink: &mut S,
    raws: &[&RawValue],
    field: &str,
) -> Vec<QuarantinedRecord> {
    let mut quarantined = Vec::new();
    for (i, raw) in raws.iter().enumerate() {
        let text = raw.get();
        let parsed = if text.starts_with('{') {
            serde_json::from_str::<S::Record<'_>>(text).map_err(|e| type_error_reason(text, &e))
        } else {
            Err("record is not a JSON object".to_string())
        };
        if let Err(reason) = parsed.and_then(|r| sink.accept(&r)) {
            quarantined.push(QuarantinedRecord {
                reason: format!("{field}[{i}]: {reason}"),
                raw: text.to_string(),
                started_at: S::owner_start(text),
            });
        }
    }
    quarantined
}
