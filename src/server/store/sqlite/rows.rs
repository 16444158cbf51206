//! Rows as SQLite returns them, and their conversion to domain values.

use crate::domain::{ChatMessage, LogEvent, RoomName, Seq, UserId};
use crate::server::store::log_row::log_event;
use crate::server::store::StoreError;
use sqlx::FromRow;

/// The columns every message query selects, in this order.
pub(super) const MESSAGE_COLUMNS: &str =
    "m.room, m.seq, m.author_id, m.author, m.body, m.sent_at, m.edited_at, m.deleted";

#[derive(FromRow)]
pub(super) struct MessageRow {
    room: String,
    seq: i64,
    author_id: String,
    author: String,
    body: String,
    sent_at: i64,
    edited_at: Option<i64>,
    deleted: bool,
}

/// A log event joined with the current state of the message it is about.
#[derive(FromRow)]
pub(super) struct EventRow {
    event_seq: i64,
    kind: String,
    at: i64,
    #[sqlx(flatten)]
    message: MessageRow,
}

impl TryFrom<MessageRow> for ChatMessage {
    type Error = StoreError;

    fn try_from(row: MessageRow) -> Result<Self, StoreError> {
        Ok(ChatMessage {
            seq: to_seq(row.seq)?,
            room: RoomName::parse(&row.room).map_err(corrupt)?,
            author_id: UserId::parse(&row.author_id)
                .ok_or_else(|| corrupt(format!("bad author_id {:?}", row.author_id)))?,
            author: row.author,
            body: row.body,
            sent_at: row.sent_at,
            edited_at: row.edited_at,
            deleted: row.deleted,
        })
    }
}

impl TryFrom<EventRow> for LogEvent {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        let seq = to_seq(row.event_seq)?;
        log_event(seq, &row.kind, row.at, ChatMessage::try_from(row.message)?)
    }
}

pub(super) fn to_seq(raw: i64) -> Result<Seq, StoreError> {
    u64::try_from(raw).map(Seq).map_err(corrupt)
}

/// A cursor past anything SQLite can hold reads as "after everything".
pub(super) fn to_sql(seq: Seq) -> i64 {
    i64::try_from(seq.get()).unwrap_or(i64::MAX)
}

fn corrupt(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StoreError {
    StoreError::Failed(e.into())
}
