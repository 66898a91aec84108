//! Borrowed serde model of Genesys analytics conversation details
//! (query pages, job result pages and the records inside them).
//!
//! JSON names are the exact camelCase names of the SDK models (fact sheet §4).
//! Only the fields cxetl maps are declared; serde skips the rest, so new
//! Genesys fields never break a run. Every enum-like field is plain text, so
//! new Genesys values never break a run either. A date-time that does not
//! parse is not a deserialization error ([`DateTimeText`]): the transform
//! reports it with the field's full path, which makes quarantine reasons
//! precise.
//!
//! Strings are borrowed from the page body whenever they contain no escape
//! sequence; only escaped strings allocate.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

/// A JSON string borrowed from the page when it has no escapes, owned otherwise.
///
/// `Option<Cow<'a, str>>` with `#[serde(borrow)]` always allocates (serde only
/// special-cases a bare `Cow<str>` field), hence this newtype.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the string points into the page body (no copy was made).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A string→string object kept in document order (participant `attributes`).
///
/// A `null` value is kept as a null map value rather than rejected: Genesys
/// documents the map as string→string, but a missing value is not a reason
/// to lose a conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes<'a>(pub Vec<(Text<'a>, Option<Text<'a>>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Attributes<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Attributes<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(0));
                while let Some(kv) = m.next_entry::<Text<'de>, Option<Text<'de>>>()? {
                    out.push(kv);
                }
                Ok(Attributes(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A date-time field: the text as received and, when it reads as RFC 3339,
/// the instant in UTC microseconds.
///
/// Parsed while the page is deserialized so each timestamp is read exactly
/// once; an unreadable one is kept (not an error here) so the transform can
/// quarantine the record with the field's full path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeText<'a> {
    /// The JSON string.
    pub text: Text<'a>,
    /// UTC microseconds since the epoch; `None` when `text` is not a date-time.
    pub micros: Option<i64>,
}

impl<'de: 'a, 'a> Deserialize<'de> for DateTimeText<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Text::deserialize(d)?;
        let micros = crate::transform::parse_timestamp_micros(&text).ok();
        Ok(DateTimeText { text, micros })
    }
}

/// A details page, fully typed: `details/query` (`conversations`, `totalHits`)
/// or `details/jobs/{id}/results` (`conversations`, `cursor`,
/// `dataAvailabilityDate`). The transform streams the same envelope record
/// by record instead of materializing it; this form is for callers that
/// want the whole page at once (tests, tools).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<'a> {
    /// The records; absent or null means an empty page.
    #[serde(borrow)]
    pub conversations: Option<Vec<Conversation<'a>>>,
    /// Query API: approximate number of matches.
    pub total_hits: Option<u64>,
    /// Jobs API: where the next results page starts (absent on the last page).
    #[serde(borrow)]
    pub cursor: Option<Text<'a>>,
    /// Jobs API: data is complete up to at least this date-time.
    #[serde(borrow)]
    pub data_availability_date: Option<Text<'a>>,
}

/// The same envelope with each record left as raw JSON text: the slow path,
/// used to isolate and quarantine the records that do not fit the model.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawPage<'a> {
    /// The records, unparsed.
    #[serde(borrow)]
    pub conversations: Option<Vec<&'a RawValue>>,
    /// See [`Page::total_hits`].
    pub total_hits: Option<u64>,
    /// See [`Page::cursor`].
    #[serde(borrow)]
    pub cursor: Option<Text<'a>>,
    /// See [`Page::data_availability_date`].
    #[serde(borrow)]
    pub data_availability_date: Option<Text<'a>>,
}

/// `AnalyticsConversation` / `AnalyticsConversationWithoutAttributes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation<'a> {
    /// Required by the transform.
    #[serde(borrow)]
    pub conversation_id: Option<Text<'a>>,
    /// Date-time; required by the transform.
    #[serde(borrow)]
    pub conversation_start: Option<DateTimeText<'a>>,
    /// Date-time; absent while the conversation is ongoing.
    #[serde(borrow)]
    pub conversation_end: Option<DateTimeText<'a>>,
    /// `inbound` / `outbound` (open).
    #[serde(borrow)]
    pub originating_direction: Option<Text<'a>>,
    /// Division ids.
    #[serde(borrow)]
    pub division_ids: Option<Vec<Option<Text<'a>>>>,
    /// Caller-supplied tag.
    #[serde(borrow)]
    pub external_tag: Option<Text<'a>>,
    /// Participants in the order Genesys returns them.
    #[serde(borrow)]
    pub participants: Option<Vec<Participant<'a>>>,
}

/// `AnalyticsParticipant` / `AnalyticsParticipantWithoutAttributes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant<'a> {
    /// Required by the transform (natural key).
    #[serde(borrow)]
    pub participant_id: Option<Text<'a>>,
    /// Display name.
    #[serde(borrow)]
    pub participant_name: Option<Text<'a>>,
    /// `agent`, `customer`, `acd`, ... (open).
    #[serde(borrow)]
    pub purpose: Option<Text<'a>>,
    /// Genesys user id.
    #[serde(borrow)]
    pub user_id: Option<Text<'a>>,
    /// Team id.
    #[serde(borrow)]
    pub team_id: Option<Text<'a>>,
    /// External contact id.
    #[serde(borrow)]
    pub external_contact_id: Option<Text<'a>>,
    /// External organization id.
    #[serde(borrow)]
    pub external_organization_id: Option<Text<'a>>,
    /// `general` (open).
    #[serde(borrow)]
    pub flagged_reason: Option<Text<'a>>,
    /// Screen recording flag.
    pub screen_recording: Option<bool>,
    /// Jobs API only.
    #[serde(borrow)]
    pub attributes: Option<Attributes<'a>>,
    /// Sessions in the order Genesys returns them.
    #[serde(borrow)]
    pub sessions: Option<Vec<Session<'a>>>,
}

/// `AnalyticsSession` (the mapped subset).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session<'a> {
    /// Required by the transform (natural key).
    #[serde(borrow)]
    pub session_id: Option<Text<'a>>,
    /// `voice`, `chat`, ... (open).
    #[serde(borrow)]
    pub media_type: Option<Text<'a>>,
    /// `inbound` / `outbound` (open).
    #[serde(borrow)]
    pub direction: Option<Text<'a>>,
    /// Calling number.
    #[serde(borrow)]
    pub ani: Option<Text<'a>>,
    /// Called number.
    #[serde(borrow)]
    pub dnis: Option<Text<'a>>,
    /// Called number of this session.
    #[serde(borrow)]
    pub session_dnis: Option<Text<'a>>,
    /// Sender address.
    #[serde(borrow)]
    pub address_from: Option<Text<'a>>,
    /// Recipient address.
    #[serde(borrow)]
    pub address_to: Option<Text<'a>>,
    /// This participant's address.
    #[serde(borrow)]
    pub address_self: Option<Text<'a>>,
    /// The other party's address.
    #[serde(borrow)]
    pub address_other: Option<Text<'a>>,
    /// Edge id.
    #[serde(borrow)]
    pub edge_id: Option<Text<'a>>,
    /// Provider.
    #[serde(borrow)]
    pub provider: Option<Text<'a>>,
    /// Remote party.
    #[serde(borrow)]
    pub remote: Option<Text<'a>>,
    /// Peer session id.
    #[serde(borrow)]
    pub peer_id: Option<Text<'a>>,
    /// SIP call id.
    #[serde(borrow)]
    pub protocol_call_id: Option<Text<'a>>,
    /// `Standard`, `Bullseye`, ... (open).
    #[serde(borrow)]
    pub used_routing: Option<Text<'a>>,
    /// Requested routing methods (open values).
    #[serde(borrow)]
    pub requested_routings: Option<Vec<Option<Text<'a>>>>,
    /// Agent chosen by predictive routing.
    #[serde(borrow)]
    pub selected_agent_id: Option<Text<'a>>,
    /// Recording flag.
    pub recording: Option<bool>,
    /// After-call work skipped.
    pub acw_skipped: Option<bool>,
    /// Dialer campaign.
    #[serde(borrow)]
    pub outbound_campaign_id: Option<Text<'a>>,
    /// Dialer contact.
    #[serde(borrow)]
    pub outbound_contact_id: Option<Text<'a>>,
    /// Dialer contact list.
    #[serde(borrow)]
    pub outbound_contact_list_id: Option<Text<'a>>,
    /// Dialer disposition.
    #[serde(borrow)]
    pub disposition_name: Option<Text<'a>>,
    /// Callback numbers.
    #[serde(borrow)]
    pub callback_numbers: Option<Vec<Option<Text<'a>>>>,
    /// Media count.
    pub media_count: Option<i32>,
    /// IVR / bot flow.
    #[serde(borrow)]
    pub flow: Option<Box<Flow<'a>>>,
    /// Segments in the order Genesys returns them.
    #[serde(borrow)]
    pub segments: Option<Vec<Segment<'a>>>,
    /// Metrics in the order Genesys returns them.
    #[serde(borrow)]
    pub metrics: Option<Vec<Metric<'a>>>,
}

/// `AnalyticsFlow` (the mapped subset).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow<'a> {
    /// Flow id.
    #[serde(borrow)]
    pub flow_id: Option<Text<'a>>,
    /// Flow name.
    #[serde(borrow)]
    pub flow_name: Option<Text<'a>>,
    /// `INBOUNDCALL`, `BOT`, ... (open).
    #[serde(borrow)]
    pub flow_type: Option<Text<'a>>,
    /// Flow version (a string in the SDK model).
    #[serde(borrow)]
    pub flow_version: Option<Text<'a>>,
    /// Entry reason.
    #[serde(borrow)]
    pub entry_reason: Option<Text<'a>>,
    /// Exit reason.
    #[serde(borrow)]
    pub exit_reason: Option<Text<'a>>,
    /// Transfer type.
    #[serde(borrow)]
    pub transfer_type: Option<Text<'a>>,
}

/// `AnalyticsConversationSegment` (the mapped subset).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment<'a> {
    /// Date-time.
    #[serde(borrow)]
    pub segment_start: Option<DateTimeText<'a>>,
    /// Date-time.
    #[serde(borrow)]
    pub segment_end: Option<DateTimeText<'a>>,
    /// `interact`, `hold`, ... (open).
    #[serde(borrow)]
    pub segment_type: Option<Text<'a>>,
    /// `client`, `transfer`, ... (open).
    #[serde(borrow)]
    pub disconnect_type: Option<Text<'a>>,
    /// Queue id.
    #[serde(borrow)]
    pub queue_id: Option<Text<'a>>,
    /// Group id.
    #[serde(borrow)]
    pub group_id: Option<Text<'a>>,
    /// Wrap-up code id.
    #[serde(borrow)]
    pub wrap_up_code: Option<Text<'a>>,
    /// Wrap-up note.
    #[serde(borrow)]
    pub wrap_up_note: Option<Text<'a>>,
    /// Wrap-up tags.
    #[serde(borrow)]
    pub wrap_up_tags: Option<Vec<Option<Text<'a>>>>,
    /// Requested skill ids.
    #[serde(borrow)]
    pub requested_routing_skill_ids: Option<Vec<Option<Text<'a>>>>,
    /// Requested user ids.
    #[serde(borrow)]
    pub requested_routing_user_ids: Option<Vec<Option<Text<'a>>>>,
    /// Conference flag.
    pub conference: Option<bool>,
    /// Source conversation of a conference/transfer.
    #[serde(borrow)]
    pub source_conversation_id: Option<Text<'a>>,
    /// Destination conversation of a conference/transfer.
    #[serde(borrow)]
    pub destination_conversation_id: Option<Text<'a>>,
    /// Error code.
    #[serde(borrow)]
    pub error_code: Option<Text<'a>>,
    /// Subject (email, chat).
    #[serde(borrow)]
    pub subject: Option<Text<'a>>,
    /// SIP response codes.
    pub sip_response_codes: Option<Vec<Option<i32>>>,
}

/// `AnalyticsSessionMetric`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric<'a> {
    /// `tTalk`, `nTransferred`, ... (open); required by the transform.
    #[serde(borrow)]
    pub name: Option<Text<'a>>,
    /// Integer value (milliseconds for `t*`, a count for `n*`).
    pub value: Option<i64>,
    /// Date-time.
    #[serde(borrow)]
    pub emit_date: Option<DateTimeText<'a>>,
}
