//! The SQL of each write, run inside the writer's transaction: the log event with the
//! room's next seq, the message's state, and the room's counters for the room list.

use super::link::Failure;
use super::rows::{corrupt, to_seq, to_sql, MessageRow, LAST_SEQ, MESSAGE_COLUMNS, QUOTE_JOIN};
use super::{search_index, uploads};
use crate::domain::{
    ChatMessage, ClientId, Mention, MessageDelete, MessageEdit, Quote, Reactions, RoomName, Seq,
    UserId,
};
use crate::server::store::{Appended, DeleteRequest, EditRequest, NewMessage, Refusal};
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::LazyLock;

/// One event: ?1 room, ?2 seq, ?3 kind, ?4 target, ?5 at, ?6 data. A statement that
/// writes one row, as each of the writer's does: one that might write several (an
/// `INSERT … SELECT`, say) opens a statement journal, and with it a savepoint that makes
/// the search index (FTS5) write out what it holds for the transaction, for every message
/// instead of once a batch.
const LOG_EVENT: &str = "INSERT INTO events (room, seq, kind, target, at, data) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// The author's earlier message with the same `client_id` in the room.
static EARLIER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m {QUOTE_JOIN} \
         WHERE m.room = ?1 AND m.author_id = ?2 AND m.client_id = ?3"
    )
});

/// Stores a message unless its author sent the same `client_id` before in the room, in which
/// case the earlier message is returned and nothing is written. The key is scoped to the
/// author: someone who learns another person's key cannot get that person's message back.
/// Written with the writer's transaction open: its `message` event with the room's next
/// seq, its entry in the search index, its row (which keeps the index entry's rowid,
/// `search_id`), and the room's counters.
pub(super) fn append(
    conn: &Connection,
    message: &NewMessage,
) -> Result<Result<Appended, Refusal>, Failure> {
    let room = message.room.as_str();
    if message.recheck_access && !may_write(conn, &message.room, &message.author_id)? {
        return Ok(Err(Refusal::Private));
    }
    let client_id = message.client_id.as_ref().map(ClientId::as_str);
    if let Some(client_id) = client_id {
        let earlier = conn
            .prepare_cached(&EARLIER)?
            .query_row(
                params![room, message.author_id.as_str(), client_id],
                MessageRow::from_sqlite,
            )
            .optional()?;
        if let Some(row) = earlier {
            return Ok(Ok(Appended::Duplicate(row.try_into()?)));
        }
    }
    let attachments = match uploads::claimable(conn, message)? {
        Ok(files) => files,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let quote = match message.reply_to {
        Some(original) => quote(conn, &message.room, original)?,
        None => None,
    };
    let seq = log_event(conn, &message.room, "message", None, message.sent_at, None)?;
    uploads::claim(conn, &message.room, seq, &message.attachments)?;
    // Its files are found by their names too.
    let searchable = format!(
        "{} {}",
        message.body.as_str(),
        uploads::searchable_names(&attachments)
    );
    conn.prepare_cached("INSERT INTO message_search (body, room, seq) VALUES (?1, ?2, ?3)")?
        .execute(params![searchable.trim_end(), room, to_sql(seq)])?;
    let search_id = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO messages (room, seq, author_id, author, body, sent_at, client_id, \
         reply_to, mentions, bot, search_id, attachments) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        room,
        to_sql(seq),
        message.author_id.as_str(),
        message.author.as_str(),
        message.body.as_str(),
        message.sent_at,
        client_id,
        message.reply_to.map(to_sql),
        mentions_json(&message.mentions)?,
        message.bot,
        search_id,
        attachments_json(&attachments)?,
    ])?;
    count_in_room(conn, &message.room, 1, message.sent_at)?;
    Ok(Ok(Appended::New(ChatMessage {
        seq,
        room: message.room.clone(),
        author_id: message.author_id.clone(),
        author: message.author.as_str().to_owned(),
        body: message.body.as_str().to_owned(),
        sent_at: message.sent_at,
        edited_at: None,
        deleted: false,
        reply_to: message.reply_to,
        quote,
        reactions: Reactions::default(),
        reactions_at: Seq::ZERO,
        mentions: message.mentions.clone(),
        bot: message.bot,
        pinned: false,
        attachments,
    })))
}

/// Whether `author` may write `room` now: it is public, or they are its member. Inside the
/// writer's transaction, so a room made private a moment ago is seen as private.
fn may_write(conn: &Connection, room: &RoomName, author: &UserId) -> Result<bool, Failure> {
    Ok(conn
        .prepare_cached(
            "SELECT NOT EXISTS (SELECT 1 FROM private_rooms WHERE room = ?1) \
             OR EXISTS (SELECT 1 FROM memberships WHERE user_id = ?2 AND room = ?1)",
        )?
        .query_row(params![room.as_str(), author.as_str()], |row| row.get(0))?)
}

/// The attachments column: JSON, or NULL for none.
fn attachments_json(files: &[crate::domain::Attachment]) -> Result<Option<String>, Failure> {
    if files.is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_json::to_string(files).map_err(corrupt)?))
}

/// The mentions column: JSON, or NULL for none.
fn mentions_json(mentions: &[Mention]) -> Result<Option<String>, Failure> {
    if mentions.is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_json::to_string(mentions).map_err(corrupt)?))
}

/// How message `seq` shows in a reply to it, if it is stored.
fn quote(conn: &Connection, room: &RoomName, seq: Seq) -> Result<Option<Quote>, Failure> {
    let found: Option<(String, String, String, Option<i64>, bool)> = conn
        .prepare_cached(
            "SELECT author_id, author, body, edited_at, deleted FROM messages \
             WHERE room = ?1 AND seq = ?2",
        )?
        .query_row(params![room.as_str(), to_sql(seq)], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })
        .optional()?;
    let Some((author_id, author, body, edited_at, deleted)) = found else {
        return Ok(None);
    };
    let author_id =
        UserId::parse(&author_id).ok_or_else(|| corrupt(format!("bad author_id {author_id:?}")))?;
    Ok(Some(Quote::new(
        author_id,
        author,
        &body,
        edited_at.is_some(),
        deleted,
    )))
}

pub(super) fn edit(
    conn: &Connection,
    edit: &EditRequest,
) -> Result<Result<MessageEdit, Refusal>, Failure> {
    if let Err(refusal) = check_author(conn, &edit.room, edit.target, Some(&edit.by))? {
        return Ok(Err(refusal));
    }
    let seq = log_event(conn, &edit.room, "edit", Some(edit.target), edit.at, None)?;
    search_index::change(conn, &edit.room, edit.target, edit.body.as_str())?;
    conn.prepare_cached(
        "UPDATE messages SET body = ?1, edited_at = ?2 WHERE room = ?3 AND seq = ?4",
    )?
    .execute(params![
        edit.body.as_str(),
        edit.at,
        edit.room.as_str(),
        to_sql(edit.target)
    ])?;
    Ok(Ok(MessageEdit {
        seq,
        room: edit.room.clone(),
        target: edit.target,
        body: edit.body.as_str().to_owned(),
        edited_at: edit.at,
    }))
}

pub(super) fn delete(
    conn: &Connection,
    delete: &DeleteRequest,
) -> Result<Result<MessageDelete, Refusal>, Failure> {
    let by = (!delete.as_moderator).then_some(&delete.by);
    if let Err(refusal) = check_author(conn, &delete.room, delete.target, by)? {
        return Ok(Err(refusal));
    }
    let seq = log_event(
        conn,
        &delete.room,
        "delete",
        Some(delete.target),
        delete.at,
        None,
    )?;
    search_index::remove(conn, &delete.room, delete.target)?;
    conn.prepare_cached(
        "UPDATE messages SET body = '', deleted = 1, reactions = '[]', pinned_seq = NULL, \
         attachments = NULL WHERE room = ?1 AND seq = ?2",
    )?
    .execute(params![delete.room.as_str(), to_sql(delete.target)])?;
    uploads::remove_with_message(conn, &delete.room, delete.target, delete.at)?;
    count_in_room(conn, &delete.room, -1, delete.at)?;
    Ok(Ok(MessageDelete {
        seq,
        room: delete.room.clone(),
        target: delete.target,
        deleted_at: delete.at,
    }))
}

/// Whether message `target` may be changed: it exists, is not deleted, and (unless `by` is
/// `None`, a moderator's change) is `by`'s.
fn check_author(
    conn: &Connection,
    room: &RoomName,
    target: Seq,
    by: Option<&UserId>,
) -> Result<Result<(), Refusal>, Failure> {
    let found: Option<(String, bool)> = conn
        .prepare_cached("SELECT author_id, deleted FROM messages WHERE room = ?1 AND seq = ?2")?
        .query_row(params![room.as_str(), to_sql(target)], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    Ok(match found {
        None => Err(Refusal::NotFound),
        Some((author, _)) if by.is_some_and(|by| author != by.as_str()) => Err(Refusal::NotYours),
        Some((_, true)) => Err(Refusal::Deleted),
        Some(_) => Ok(()),
    })
}

/// Appends an event to the room's log with the room's next seq, and returns that seq. (The
/// writer is the only one to write events, inside its transaction: nobody takes the seq
/// between the read and the insert.)
pub(super) fn log_event(
    conn: &Connection,
    room: &RoomName,
    kind: &str,
    target: Option<Seq>,
    at: i64,
    data: Option<String>,
) -> Result<Seq, Failure> {
    let last: i64 = conn
        .prepare_cached(LAST_SEQ)?
        .query_row(params![room.as_str()], |row| row.get(0))?;
    let seq = to_seq(last.saturating_add(1))?;
    conn.prepare_cached(LOG_EVENT)?.execute(params![
        room.as_str(),
        to_sql(seq),
        kind,
        to_sql(target.unwrap_or(seq)),
        at,
        data
    ])?;
    Ok(seq)
}

/// Keeps the room list's row of `room` current in the same transaction as the write, so
/// listing rooms reads one row per room instead of counting messages. A deletion counts as
/// activity too.
fn count_in_room(
    conn: &Connection,
    room: &RoomName,
    messages: i64,
    at: i64,
) -> Result<(), Failure> {
    conn.prepare_cached(
        "INSERT INTO rooms (room, messages, last_activity) VALUES (?1, MAX(?2, 0), ?3) \
         ON CONFLICT (room) DO UPDATE SET messages = MAX(messages + ?2, 0), \
         last_activity = MAX(last_activity, ?3)",
    )?
    .execute(params![room.as_str(), messages, at])?;
    Ok(())
}
