//! Pins in SQLite: a pinned message's row keeps the seq of the `pin` event that pinned it
//! (`pinned_seq`, NULL when it is not pinned), so the header's list is one indexed read.

use super::link::Failure;
use super::rows::{corrupt, to_sql, MessageRow, MESSAGE_COLUMNS, QUOTE_JOIN};
use super::writes::log_event;
use super::{classify, SqliteStore};
use crate::domain::{ChatMessage, RoomName, UserId, MAX_PINS_PER_ROOM};
use crate::server::store::log_row::PinData;
use crate::server::store::{PinRequest, Pinned, Refusal, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::LazyLock;

/// Message ?2 of room ?1 as it is now.
static ONE_MESSAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m {QUOTE_JOIN} WHERE m.room = ?1 AND m.seq = ?2"
    )
});

/// Pins or unpins a message (in the writer's transaction); logs a `pin` event only when
/// that changes something.
pub(super) fn pin(conn: &Connection, request: &PinRequest) -> Result<Pinned, Failure> {
    let room = request.room.as_str();
    let found = conn
        .prepare_cached(&ONE_MESSAGE)?
        .query_row(
            params![room, to_sql(request.target)],
            MessageRow::from_sqlite,
        )
        .optional()?;
    let message = match found.map(ChatMessage::try_from).transpose()? {
        None => return Ok(Err(Refusal::NotFound)),
        Some(message) if message.deleted => return Ok(Err(Refusal::Deleted)),
        Some(message) if message.pinned == request.pinned => return Ok(Ok(None)),
        Some(message) => message,
    };
    if request.pinned && pinned_count(conn, &request.room)? >= MAX_PINS_PER_ROOM {
        return Ok(Err(Refusal::TooManyPins));
    }
    let seq = log_event(
        conn,
        &request.room,
        "pin",
        Some(request.target),
        request.at,
        Some(PinData::json(request)),
    )?;
    conn.prepare_cached("UPDATE messages SET pinned_seq = ?1 WHERE room = ?2 AND seq = ?3")?
        .execute(params![
            request.pinned.then_some(to_sql(seq)),
            room,
            to_sql(request.target)
        ])?;
    Ok(Ok(Some(request.logged(seq, &message))))
}

fn pinned_count(conn: &Connection, room: &RoomName) -> Result<usize, Failure> {
    let count: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM messages WHERE room = ?1 AND pinned_seq IS NOT NULL")?
        .query_row(params![room.as_str()], |row| row.get(0))?;
    Ok(usize::try_from(count).map_err(corrupt)?)
}

impl SqliteStore {
    /// The room's pinned messages, the most recently pinned first (a delete unpins).
    pub(super) async fn pinned(
        &self,
        room: &RoomName,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {QUOTE_JOIN} \
             WHERE m.room = ? AND m.pinned_seq IS NOT NULL ORDER BY m.pinned_seq DESC LIMIT ?"
        ))
        .bind(room.as_str())
        .bind(MAX_PINS_PER_ROOM as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        rows.into_iter().map(|row| row.shown_to(viewer)).collect()
    }
}
