//! Borrowed, lenient serde model of CXone `contacts/completed` pages and
//! the completed-contact records inside them (fact sheet §2.1, §3).
//!
//! CXone's record changed across API versions: names (`contactStart` →
//! `contactStartDate`, `fromAddr` → `fromAddress`, ...), and older versions
//! send numbers and booleans as JSON strings (`"187"`, `"True"`, `""` for
//! "no value"). So every field is optional and the scalar fields use the
//! lenient types below, which accept a value in either form and read `""`
//! and `null` as "absent". What they still reject (an object where a number
//! is expected, a string that is not a number) is a deserialization error,
//! which the transform turns into a quarantine reason naming the field.
//!
//! Both spellings of a renamed field map to one member via
//! `#[serde(alias)]`; a record carrying both spellings of the same field is
//! therefore a "duplicate field" error (quarantined), which keeps the
//! meaning of each column unambiguous.
//!
//! Strings are borrowed from the page body whenever they contain no escape
//! sequence; only escaped strings allocate.

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The borrowed string type shared with the Genesys model.
pub use crate::vendors::genesys::model::Text;

/// An integer sent as a JSON number or as a string of digits.
///
/// `null`, `""` and a missing field are `None`. A float with no fraction
/// (`3.0`, `"3.0"`) is accepted; anything else is an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LenientI64(pub Option<i64>);

impl<'de> Deserialize<'de> for LenientI64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientI64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer (a JSON number or a string of digits)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientI64, E> {
                Ok(LenientI64(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientI64, E> {
                i64::try_from(v)
                    .map(|v| LenientI64(Some(v)))
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientI64, E> {
                integral(v)
                    .map(|v| LenientI64(Some(v)))
                    .ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientI64, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(LenientI64(None));
                }
                if let Ok(n) = t.parse::<i64>() {
                    return Ok(LenientI64(Some(n)));
                }
                t.parse::<f64>()
                    .ok()
                    .and_then(integral)
                    .map(|n| LenientI64(Some(n)))
                    .ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientI64, E> {
                Ok(LenientI64(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientI64, E> {
                Ok(LenientI64(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `v` as an i64 when it is a whole number in range.
fn integral(v: f64) -> Option<i64> {
    // 2^63 is exactly representable; everything below it converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (v.is_finite() && v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v)).then_some(v as i64)
}

/// A number sent as a JSON number or as a numeric string (`"268"`, `"0.5"`).
///
/// `null`, `""` and a missing field are `None`; NaN and infinities are
/// rejected (JSON has no such numbers, so a string spelling them is junk).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LenientF64(pub Option<f64>);

impl<'de> Deserialize<'de> for LenientF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientF64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number (a JSON number or a numeric string)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientF64, E> {
                Ok(LenientF64(Some(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientF64, E> {
                Ok(LenientF64(Some(v as f64)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientF64, E> {
                Ok(LenientF64(Some(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientF64, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(LenientF64(None));
                }
                t.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(|n| LenientF64(Some(n)))
                    .ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientF64, E> {
                Ok(LenientF64(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientF64, E> {
                Ok(LenientF64(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean sent as JSON `true`/`false`, as a string (`"True"`, `"false"`,
/// any case; `"1"`, `"0"`) or as the number 0 or 1.
///
/// `null`, `""` and a missing field are `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LenientBool(pub Option<bool>);

impl<'de> Deserialize<'de> for LenientBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean (true/false, \"True\"/\"False\", 1/0)")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<LenientBool, E> {
                Ok(LenientBool(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientBool, E> {
                match v {
                    0 => Ok(LenientBool(Some(false))),
                    1 => Ok(LenientBool(Some(true))),
                    _ => Err(E::invalid_value(Unexpected::Signed(v), &self)),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientBool, E> {
                match v {
                    0 => Ok(LenientBool(Some(false))),
                    1 => Ok(LenientBool(Some(true))),
                    _ => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientBool, E> {
                let t = v.trim();
                let b = if t.is_empty() {
                    None
                } else if t.eq_ignore_ascii_case("true") || t == "1" {
                    Some(true)
                } else if t.eq_ignore_ascii_case("false") || t == "0" {
                    Some(false)
                } else {
                    return Err(E::invalid_value(Unexpected::Str(v), &self));
                };
                Ok(LenientBool(b))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientBool, E> {
                Ok(LenientBool(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientBool, E> {
                Ok(LenientBool(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A text field: a JSON string, or a number sent where text is documented
/// (old versions send addresses such as ANIs as numbers), kept as its
/// decimal text. `null`, `""` and a missing field are `None`: CXone sends
/// `""` for "no value" where other versions send `null`, and one spelling
/// of absence keeps queries simple.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LenientText<'a>(pub Option<Text<'a>>);

impl LenientText<'_> {
    /// The text, if any.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for LenientText<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(LenientText(
                    (!v.is_empty()).then_some(Text(Cow::Borrowed(v))),
                ))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LenientText(
                    (!v.is_empty()).then(|| Text(Cow::Owned(v.to_owned()))),
                ))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(LenientText((!v.is_empty()).then_some(Text(Cow::Owned(v)))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LenientText(Some(Text(Cow::Owned(v.to_string())))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(LenientText(Some(Text(Cow::Owned(v.to_string())))))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(LenientText(Some(Text(Cow::Owned(v.to_string())))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientText(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientText(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A date-time field: the text as received and, when it is readable, the
/// instant in UTC microseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeText<'a> {
    /// The JSON string.
    pub text: Text<'a>,
    /// UTC microseconds since the epoch; `None` when `text` is not a date-time.
    pub micros: Option<i64>,
}

/// A date-time sent as a string. `null`, `""` (legacy mocks send
/// `"refuseTime": ""`) and a missing field are `None`.
///
/// The text is parsed here so each timestamp is read exactly once. An
/// unreadable one is kept rather than failing deserialization, so the
/// transform can name the field when it quarantines the record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LenientTime<'a>(pub Option<TimeText<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for LenientTime<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = LenientText::deserialize(d)?.0;
        Ok(LenientTime(text.map(|text| {
            let micros = parse_time(&text);
            TimeText { text, micros }
        })))
    }
}

/// Reads a CXone date-time into UTC microseconds: RFC 3339 (CXone sends
/// `2016-09-13T16:29:31.443Z`), or the same without an offset, which is
/// read as UTC because CXone's response times are UTC (fact sheet §3, §5)
/// and loaders treat them so.
pub fn parse_time(s: &str) -> Option<i64> {
    if let Ok(us) = crate::transform::parse_timestamp_micros(s) {
        return Some(us);
    }
    let t = s.trim();
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
        .map(|n| n.and_utc().timestamp_micros())
}

/// One `tags[]` element: `{contactId, tagId, tagName}` (v34) or
/// `{tagId, tagName}` (legacy). The repeated `contactId` is ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Tag<'a> {
    /// Tag id.
    pub tag_id: LenientI64,
    /// Tag name.
    #[serde(borrow)]
    pub tag_name: LenientText<'a>,
}

/// A `completedContacts[]` record: the v34 names, with the legacy spelling
/// of renamed fields as an alias. Unknown fields (`state`, `stateId`, ...)
/// are skipped, so new CXone fields never break a run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Contact<'a> {
    /// Primary key; required by the transform. Values exceed 2^31.
    pub contact_id: LenientI64,
    /// Groups the transfer and conference legs of one interaction.
    pub master_contact_id: LenientI64,
    /// Start of the contact; required by the transform.
    #[serde(borrow, alias = "contactStart")]
    pub contact_start_date: LenientTime<'a>,
    /// Agent; 0 or null when no agent handled the contact.
    pub agent_id: LenientI64,
    /// Agent's first name.
    #[serde(borrow)]
    pub first_name: LenientText<'a>,
    /// Agent's last name.
    #[serde(borrow)]
    pub last_name: LenientText<'a>,
    /// Team id.
    pub team_id: LenientI64,
    /// Team name.
    #[serde(borrow)]
    pub team_name: LenientText<'a>,
    /// Skill (queue) id.
    pub skill_id: LenientI64,
    /// Skill name.
    #[serde(borrow)]
    pub skill_name: LenientText<'a>,
    /// Campaign id.
    pub campaign_id: LenientI64,
    /// Campaign name.
    #[serde(borrow)]
    pub campaign_name: LenientText<'a>,
    /// 1 Email, 3 Chat, 4 Phone Call, 5 Voice Mail, 6 Work Item, 7 SMS,
    /// 8 Social, 9 Digital.
    #[serde(alias = "mediaType")]
    pub media_type_id: LenientI64,
    /// Media type name (`Phone Call`, `Chat`, ...).
    #[serde(borrow)]
    pub media_type_name: LenientText<'a>,
    /// Media sub-type id.
    pub media_sub_type_id: LenientI64,
    /// Media sub-type name.
    #[serde(borrow)]
    pub media_sub_type_name: LenientText<'a>,
    /// Point of contact id.
    pub point_of_contact_id: LenientI64,
    /// Point of contact name.
    #[serde(borrow)]
    pub point_of_contact_name: LenientText<'a>,
    /// ANI or sender address.
    #[serde(borrow, alias = "fromAddr")]
    pub from_address: LenientText<'a>,
    /// DNIS or recipient address.
    #[serde(borrow, alias = "toAddr")]
    pub to_address: LenientText<'a>,
    /// Outbound contact.
    pub is_outbound: LenientBool,
    /// Refused by an agent.
    pub is_refused: LenientBool,
    /// Short abandon.
    pub is_short_abandon: LenientBool,
    /// Takeover.
    pub is_takeover: LenientBool,
    /// Warehoused.
    pub is_logged: LenientBool,
    /// Analytics processed.
    #[serde(alias = "analyticsProcessed")]
    pub is_analytics_processed: LenientBool,
    /// Abandoned before reaching an agent.
    pub abandoned: LenientBool,
    /// Seconds before abandoning.
    pub abandon_seconds: LenientF64,
    /// After-call work seconds.
    #[serde(alias = "ACWSeconds")]
    pub acw_seconds: LenientF64,
    /// Seconds with the agent.
    pub agent_seconds: LenientF64,
    /// Seconds on hold.
    pub hold_seconds: LenientF64,
    /// Seconds waiting in queue.
    pub in_queue_seconds: LenientF64,
    /// Seconds before queueing.
    pub pre_queue_seconds: LenientF64,
    /// Seconds after routing to an agent.
    pub post_queue_seconds: LenientF64,
    /// Release seconds.
    pub release_seconds: LenientF64,
    /// Whole contact, in seconds.
    pub total_duration_seconds: LenientF64,
    /// Conference seconds.
    #[serde(alias = "confSeconds")]
    pub conference_seconds: LenientF64,
    /// Number of holds.
    pub hold_count: LenientI64,
    /// Callback time (integer; semantics undocumented).
    pub callback_time: LenientI64,
    /// Routing time (integer, apparently ms).
    pub routing_time: LenientI64,
    /// Refusal reason.
    #[serde(borrow)]
    pub refuse_reason: LenientText<'a>,
    /// Refusal time.
    #[serde(borrow)]
    pub refuse_time: LenientTime<'a>,
    /// Service level flag.
    pub service_level_flag: LenientI64,
    /// Transfer indicator id; 0 = none.
    pub transfer_indicator_id: LenientI64,
    /// Transfer indicator name (`None`, `ReSkill`, ...).
    #[serde(borrow)]
    pub transfer_indicator_name: LenientText<'a>,
    /// Primary disposition id.
    pub primary_disposition_id: LenientI64,
    /// Secondary disposition id.
    pub secondary_disposition_id: LenientI64,
    /// Disposition notes.
    #[serde(borrow)]
    pub disposition_notes: LenientText<'a>,
    /// End reason.
    #[serde(borrow)]
    pub end_reason: LenientText<'a>,
    /// When the contact was warehoused.
    #[serde(borrow)]
    pub date_contact_warehoused: LenientTime<'a>,
    /// When after-call work was warehoused.
    #[serde(borrow, rename = "dateACWWarehoused")]
    pub date_acw_warehoused: LenientTime<'a>,
    /// Last change of the record.
    #[serde(borrow)]
    pub last_update_time: LenientTime<'a>,
    /// When analytics processed the contact.
    #[serde(borrow)]
    pub analytics_processed_date: LenientTime<'a>,
    /// Routing attribute.
    pub routing_attribute: LenientI64,
    /// High proficiency.
    pub high_proficiency: LenientI64,
    /// Low proficiency.
    pub low_proficiency: LenientI64,
    /// Division number (a JSON number).
    pub division_no: LenientF64,
    /// Tags in the order given; `None` when absent or null.
    #[serde(borrow)]
    pub tags: Option<Vec<Option<Tag<'a>>>>,
}

/// A `contacts/completed` page, fully typed: the v34 envelope
/// (`totalRecords`, `_links`, `businessUnitId`, `lastPollTime`,
/// `completedContacts`) or the v8/v10 one wrapped in `resultSet`. The
/// transform streams the same envelope record by record instead; this form
/// is for callers that want the whole page at once (tests, tools).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Page<'a> {
    /// The records; absent or null means an empty page.
    #[serde(borrow)]
    pub completed_contacts: Option<Vec<Contact<'a>>>,
    /// Number of matching records.
    pub total_records: LenientI64,
    /// Business unit.
    pub business_unit_id: LenientI64,
    /// "Timestamp of last database poll" (the next `updatedSince`).
    #[serde(borrow)]
    pub last_poll_time: LenientTime<'a>,
    /// Legacy wrapper holding the same envelope.
    #[serde(borrow)]
    pub result_set: Option<Box<Page<'a>>>,
}

/// The envelope with each record left as raw JSON text: the slow path,
/// used to isolate and quarantine the records that do not fit the model.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawPage<'a> {
    /// The records, unparsed.
    #[serde(borrow)]
    pub completed_contacts: Option<Vec<&'a RawValue>>,
    /// See [`Page::total_records`].
    pub total_records: LenientI64,
    /// See [`Page::result_set`].
    #[serde(borrow)]
    pub result_set: Option<Box<RawPage<'a>>>,
}
