//! The FTS5 index of messages (`message_search`): written by the writer in the same
//! transaction as each message (by the append batch in `writes.rs`), edit and delete, and
//! searched newest first.

use super::faults::classify;
use super::link::Failure;
use super::rows::{to_sql, MessageRow, MESSAGE_COLUMNS, QUOTE_JOIN};
use crate::domain::{ChatMessage, RoomName, SearchCursor, SearchPage, SearchQuery, Seq, UserId};
use crate::server::store::StoreError;
use sqlx::SqlitePool;
use std::time::{Duration, Instant};

/// How many SQLite steps run between two looks at the clock.
const PROGRESS_STEPS: i32 = 10_000;

/// Whether `error` is SQLite's "interrupted" (the progress handler stopped the statement).
fn is_interrupt(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|error| error.code())
        .is_some_and(|code| code == "9")
}

/// The index reads message `seq`'s new words, and its files' names (inside the writer's
/// transaction).
pub(super) fn change(
    conn: &rusqlite::Connection,
    room: &RoomName,
    seq: Seq,
    body: &str,
) -> Result<(), Failure> {
    let names = super::uploads::file_names(conn, room, seq)?;
    let body = format!("{body} {names}");
    let body = body.trim_end();
    conn.prepare_cached(
        "UPDATE message_search SET body = ?1 WHERE rowid = \
         (SELECT search_id FROM messages WHERE room = ?2 AND seq = ?3)",
    )?
    .execute(rusqlite::params![body, room.as_str(), to_sql(seq)])?;
    Ok(())
}

/// Message `seq` is no longer found (inside the writer's transaction).
pub(super) fn remove(
    conn: &rusqlite::Connection,
    room: &RoomName,
    seq: Seq,
) -> Result<(), Failure> {
    conn.prepare_cached(
        "DELETE FROM message_search WHERE rowid = \
         (SELECT search_id FROM messages WHERE room = ?1 AND seq = ?2)",
    )?
    .execute(rusqlite::params![room.as_str(), to_sql(seq)])?;
    Ok(())
}

/// What a search asks for.
pub(super) struct Asked<'a> {
    pub query: &'a SearchQuery,
    /// One room, or every room `reader` may read.
    pub room: Option<&'a RoomName>,
    pub reader: &'a UserId,
    /// Below this message (its `search_id`).
    pub before: Option<&'a SearchCursor>,
}

/// Up to `limit` messages matching the query in the rooms the reader may read (in `room`,
/// or anywhere), newest first, below `before`. Private rooms the reader is not a member of
/// are left out by the query itself, so `has_older` and `older` never count them.
pub(super) async fn search(
    pool: &SqlitePool,
    asked: Asked<'_>,
    limit: u32,
    timeout: Duration,
) -> Result<SearchPage<ChatMessage>, StoreError> {
    let in_room = if asked.room.is_some() {
        "AND s.room = ?5"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM message_search s \
         JOIN messages m ON m.room = s.room AND m.seq = s.seq {QUOTE_JOIN} \
         WHERE message_search MATCH ?1 \
         AND s.rowid < COALESCE((SELECT search_id FROM messages \
             WHERE room = ?2 AND seq = ?3), CASE WHEN ?2 IS NULL THEN {max} ELSE 0 END) \
         AND (NOT EXISTS (SELECT 1 FROM private_rooms p WHERE p.room = s.room) \
              OR EXISTS (SELECT 1 FROM memberships ms \
                         WHERE ms.user_id = ?4 AND ms.room = s.room)) \
         {in_room} \
         ORDER BY s.rowid DESC LIMIT ?6",
        max = i64::MAX
    );
    let rows = sqlx::query_as::<_, MessageRow>(&sql)
        .bind(asked.query.fts5())
        .bind(asked.before.map(|cursor| cursor.room.as_str()))
        .bind(asked.before.map(|cursor| to_sql(cursor.seq)))
        .bind(asked.reader.as_str())
        .bind(asked.room.map(RoomName::as_str))
        .bind(limit + 1);
    let mut conn = pool.acquire().await.map_err(classify)?;
    // Stopped once it has run `timeout`: SQLite asks the handler every few thousand steps.
    let deadline = Instant::now() + timeout;
    conn.lock_handle()
        .await
        .map_err(classify)?
        .set_progress_handler(PROGRESS_STEPS, move || Instant::now() < deadline);
    let found = rows.fetch_all(&mut *conn).await;
    if let Ok(mut handle) = conn.lock_handle().await {
        handle.remove_progress_handler();
    }
    let mut rows = match found {
        Ok(rows) => rows,
        Err(error) if is_interrupt(&error) => {
            tracing::info!(?timeout, "stopped a search that ran too long");
            return Err(StoreError::TooSlow);
        }
        // A query the tokenizer still cuts into a phrase (a character newer than SQLite's
        // Unicode tables, say) finds nothing rather than failing the request.
        Err(error) if error.to_string().contains("fts5:") => {
            tracing::warn!(%error, "a search query FTS5 refused; answering no results");
            Vec::new()
        }
        Err(error) => return Err(classify(error)),
    };
    let has_older = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let results = rows
        .into_iter()
        .map(ChatMessage::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let older = results.last().filter(|_| has_older).map(|last| {
        SearchCursor {
            room: last.room.clone(),
            seq: last.seq,
        }
        .encode()
    });
    Ok(SearchPage {
        results,
        has_older,
        older,
    })
}
