//! The FTS5 index of messages (`message_search`): written by the writer in the same
//! transaction as each message (by the append batch in `writes.rs`), edit and delete, and
//! searched newest first.

use super::faults::classify;
use super::link::Failure;
use super::rows::{to_sql, MessageRow, MESSAGE_COLUMNS, QUOTE_JOIN};
use crate::domain::{ChatMessage, RoomName, SearchPage, SearchQuery, Seq};
use crate::server::store::StoreError;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

/// The index reads message `seq`'s new words.
pub(super) async fn change(
    conn: &mut SqliteConnection,
    room: &RoomName,
    seq: Seq,
    body: &str,
) -> Result<(), Failure> {
    sqlx::query(
        "UPDATE message_search SET body = ? WHERE rowid = \
         (SELECT search_id FROM messages WHERE room = ? AND seq = ?)",
    )
    .bind(body)
    .bind(room.as_str())
    .bind(to_sql(seq))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Message `seq` is no longer found.
pub(super) async fn remove(
    conn: &mut SqliteConnection,
    room: &RoomName,
    seq: Seq,
) -> Result<(), Failure> {
    sqlx::query(
        "DELETE FROM message_search WHERE rowid = \
         (SELECT search_id FROM messages WHERE room = ? AND seq = ?)",
    )
    .bind(room.as_str())
    .bind(to_sql(seq))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct FoundRow {
    search_id: i64,
    #[sqlx(flatten)]
    message: MessageRow,
}

/// Up to `limit` messages matching `query` (in `room`, or anywhere), newest first, below
/// `before` (a `search_id`).
pub(super) async fn search(
    pool: &SqlitePool,
    query: &SearchQuery,
    room: Option<&RoomName>,
    before: Option<u64>,
    limit: u32,
) -> Result<SearchPage<ChatMessage>, StoreError> {
    let in_room = if room.is_some() { "AND s.room = ?" } else { "" };
    let sql = format!(
        "SELECT s.rowid AS search_id, {MESSAGE_COLUMNS} FROM message_search s \
         JOIN messages m ON m.room = s.room AND m.seq = s.seq {QUOTE_JOIN} \
         WHERE message_search MATCH ? AND s.rowid < ? {in_room} \
         ORDER BY s.rowid DESC LIMIT ?"
    );
    let before = before.map_or(i64::MAX, |id| i64::try_from(id).unwrap_or(i64::MAX));
    let mut statement = sqlx::query_as::<_, FoundRow>(&sql)
        .bind(query.fts5())
        .bind(before);
    if let Some(room) = room {
        statement = statement.bind(room.as_str());
    }
    let mut rows = statement
        .bind(limit + 1)
        .fetch_all(pool)
        .await
        .map_err(classify)?;
    let has_older = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let older = rows
        .last()
        .filter(|_| has_older)
        .and_then(|row| u64::try_from(row.search_id).ok());
    let results = rows
        .into_iter()
        .map(|row| ChatMessage::try_from(row.message))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SearchPage {
        results,
        has_older,
        older,
    })
}
