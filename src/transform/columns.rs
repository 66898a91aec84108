//! Column builders shared by the vendors' transforms: the unified
//! `conversations` table, which every vendor fills, and small helpers for
//! building typed Arrow columns.

use super::{make_batch, Table, TableBatch};
use arrow::array::{
    ArrayRef, BooleanBuilder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};

/// A `timestamp[us, UTC]` column.
pub(crate) fn timestamps(cap: usize) -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::with_capacity(cap).with_timezone("UTC")
}

/// A string column sized for `rows` values of about `bytes_per_row` bytes.
pub(crate) fn strings(rows: usize, bytes_per_row: usize) -> StringBuilder {
    StringBuilder::with_capacity(rows, rows * bytes_per_row)
}

/// A `list<string>` column.
pub(crate) fn string_list() -> ListBuilder<StringBuilder> {
    ListBuilder::new(StringBuilder::new())
}

/// Finishes any builder into an array.
pub(crate) fn arr<B: arrow::array::ArrayBuilder>(mut b: B) -> ArrayRef {
    b.finish()
}

/// The columns of `conversations`, in schema order; each vendor's transform
/// appends one row per conversation it owns.
pub(crate) struct ConversationColumns {
    pub conversation_id: StringBuilder,
    pub started_at: TimestampMicrosecondBuilder,
    pub ended_at: TimestampMicrosecondBuilder,
    pub duration_ms: Int64Builder,
    pub direction: StringBuilder,
    pub media_type: StringBuilder,
    pub queue_id: StringBuilder,
    pub queue_name: StringBuilder,
    pub agent_ids: ListBuilder<StringBuilder>,
    pub participant_count: Int32Builder,
    pub handle_ms: Int64Builder,
    pub talk_ms: Int64Builder,
    pub hold_ms: Int64Builder,
    pub acw_ms: Int64Builder,
    pub queue_wait_ms: Int64Builder,
    pub abandoned: BooleanBuilder,
    pub transferred: BooleanBuilder,
    pub division_ids: ListBuilder<StringBuilder>,
    pub external_tag: StringBuilder,
}

impl ConversationColumns {
    /// Builders for about `n` rows whose ids (conversation and queue) are
    /// about `id_bytes` long.
    pub fn new(n: usize, id_bytes: usize) -> Self {
        ConversationColumns {
            conversation_id: strings(n, id_bytes),
            started_at: timestamps(n),
            ended_at: timestamps(n),
            duration_ms: Int64Builder::with_capacity(n),
            direction: strings(n, 8),
            media_type: strings(n, 5),
            queue_id: strings(n, id_bytes),
            queue_name: strings(n, 0),
            agent_ids: string_list(),
            participant_count: Int32Builder::with_capacity(n),
            handle_ms: Int64Builder::with_capacity(n),
            talk_ms: Int64Builder::with_capacity(n),
            hold_ms: Int64Builder::with_capacity(n),
            acw_ms: Int64Builder::with_capacity(n),
            queue_wait_ms: Int64Builder::with_capacity(n),
            abandoned: BooleanBuilder::with_capacity(n),
            transferred: BooleanBuilder::with_capacity(n),
            division_ids: string_list(),
            external_tag: strings(n, 0),
        }
    }

    /// The rows appended so far, as the `conversations` batch.
    pub fn finish(self) -> TableBatch {
        make_batch(
            Table::named("conversations"),
            vec![
                ("conversation_id", arr(self.conversation_id)),
                ("started_at", arr(self.started_at)),
                ("ended_at", arr(self.ended_at)),
                ("duration_ms", arr(self.duration_ms)),
                ("direction", arr(self.direction)),
                ("media_type", arr(self.media_type)),
                ("queue_id", arr(self.queue_id)),
                ("queue_name", arr(self.queue_name)),
                ("agent_ids", arr(self.agent_ids)),
                ("participant_count", arr(self.participant_count)),
                ("handle_ms", arr(self.handle_ms)),
                ("talk_ms", arr(self.talk_ms)),
                ("hold_ms", arr(self.hold_ms)),
                ("acw_ms", arr(self.acw_ms)),
                ("queue_wait_ms", arr(self.queue_wait_ms)),
                ("abandoned", arr(self.abandoned)),
                ("transferred", arr(self.transferred)),
                ("division_ids", arr(self.division_ids)),
                ("external_tag", arr(self.external_tag)),
            ],
        )
    }
}

/// The columns of the unified `agent_states` table, which every vendor's
/// activity stream fills, one row per state period it owns.
pub(crate) struct AgentStateColumns {
    agent_id: StringBuilder,
    kind: StringBuilder,
    started_at: TimestampMicrosecondBuilder,
    ended_at: TimestampMicrosecondBuilder,
    duration_ms: Int64Builder,
    state: StringBuilder,
    state_detail: StringBuilder,
}

/// One state period, as every vendor can state it.
pub(crate) struct AgentState<'a> {
    pub agent_id: &'a str,
    pub kind: &'a str,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub state: Option<&'a str>,
    pub state_detail: Option<&'a str>,
}

impl AgentStateColumns {
    pub(crate) fn new(n: usize) -> Self {
        AgentStateColumns {
            agent_id: strings(n, 36),
            kind: strings(n, 8),
            started_at: timestamps(n),
            ended_at: timestamps(n),
            duration_ms: Int64Builder::with_capacity(n),
            state: strings(n, 12),
            state_detail: strings(n, 16),
        }
    }

    pub(crate) fn append(&mut self, s: &AgentState) {
        self.agent_id.append_value(s.agent_id);
        self.kind.append_value(s.kind);
        self.started_at.append_value(s.started_at);
        self.ended_at.append_option(s.ended_at);
        // Microseconds to milliseconds: periods are whole milliseconds.
        self.duration_ms
            .append_option(s.ended_at.map(|e| (e - s.started_at) / 1000));
        self.state.append_option(s.state);
        self.state_detail.append_option(s.state_detail);
    }

    pub(crate) fn finish(self) -> TableBatch {
        make_batch(
            Table::named("agent_states"),
            vec![
                ("agent_id", arr(self.agent_id)),
                ("kind", arr(self.kind)),
                ("started_at", arr(self.started_at)),
                ("ended_at", arr(self.ended_at)),
                ("duration_ms", arr(self.duration_ms)),
                ("state", arr(self.state)),
                ("state_detail", arr(self.state_detail)),
            ],
        )
    }
}
