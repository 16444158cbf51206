//! The SQL of each write, run inside the writer's transaction: the log event with the
//! room's next seq, the message's state, and the room's counters for the room list.

use super::link::Failure;
use super::rows::{corrupt, to_seq, to_sql, MessageRow, MESSAGE_COLUMNS, QUOTE_JOIN};
use super::search_index;
use crate::domain::{
    ChatMessage, ClientId, Mention, MessageDelete, MessageEdit, Quote, ReactionOp, ReactionSets,
    Reactions, RoomName, Seq, UserId,
};
use crate::server::store::log_row::ReactionData;
use crate::server::store::{
    Appended, DeleteRequest, EditRequest, NewMessage, Reacted, ReactionRequest, Refusal,
};
use sqlx::SqliteConnection;

/// A new message, written in one trip to the database (the writer's transaction is open):
/// its `message` event with the room's next seq, its entry in the search index, its row
/// (which keeps the index entry's rowid, `search_id`), and the room's counters. Every
/// statement runs before the last one answers the new seq. Parameters: ?1 room,
/// ?2 author_id, ?3 author, ?4 body, ?5 sent_at, ?6 client_id, ?7 reply_to, ?8 mentions,
/// ?9 bot.
/// (Four statements sent one by one cost four hand-offs to SQLite's thread and back.)
const APPEND: &str = "\
INSERT INTO events (room, seq, kind, target, at) \
    SELECT ?1, n, 'message', n, ?5 \
    FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM events WHERE room = ?1); \
INSERT INTO message_search (body, room, seq) \
    VALUES (?4, ?1, (SELECT MAX(seq) FROM events WHERE room = ?1)); \
INSERT INTO messages \
    (room, seq, author_id, author, body, sent_at, client_id, reply_to, mentions, bot, search_id) \
    VALUES (?1, (SELECT MAX(seq) FROM events WHERE room = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
            last_insert_rowid()); \
INSERT INTO rooms (room, messages, last_activity) VALUES (?1, 1, ?5) \
    ON CONFLICT (room) DO UPDATE SET messages = messages + 1, \
    last_activity = MAX(last_activity, ?5); \
SELECT MAX(seq) FROM events WHERE room = ?1";

/// Stores a message unless its author sent the same `client_id` before in the room, in which
/// case the earlier message is returned and nothing is written. The key is scoped to the
/// author: someone who learns another person's key cannot get that person's message back.
pub(super) async fn append(
    conn: &mut SqliteConnection,
    message: &NewMessage,
) -> Result<Result<Appended, Refusal>, Failure> {
    if message.recheck_access && !may_write(conn, &message.room, &message.author_id).await? {
        return Ok(Err(Refusal::Private));
    }
    let client_id = message.client_id.as_ref().map(ClientId::as_str);
    if let Some(client_id) = client_id {
        let earlier: Option<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {QUOTE_JOIN} \
             WHERE m.room = ? AND m.author_id = ? AND m.client_id = ?"
        ))
        .bind(message.room.as_str())
        .bind(message.author_id.as_str())
        .bind(client_id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = earlier {
            return Ok(Ok(Appended::Duplicate(row.try_into()?)));
        }
    }
    let quote = match message.reply_to {
        Some(original) => quote(conn, &message.room, original).await?,
        None => None,
    };
    let rows: Vec<(i64,)> = sqlx::query_as(APPEND)
        .bind(message.room.as_str())
        .bind(message.author_id.as_str())
        .bind(message.author.as_str())
        .bind(message.body.as_str())
        .bind(message.sent_at)
        .bind(client_id)
        .bind(message.reply_to.map(to_sql))
        .bind(mentions_json(&message.mentions)?)
        .bind(message.bot)
        .fetch_all(&mut *conn)
        .await?;
    let seq = match rows.as_slice() {
        [(seq,)] => to_seq(*seq)?,
        _ => return Err(corrupt(format!("appending answered {} rows", rows.len())).into()),
    };
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
    })))
}

/// Whether `author` may write `room` now: it is public, or they are its member. Inside the
/// writer's transaction, so a room made private a moment ago is seen as private.
async fn may_write(
    conn: &mut SqliteConnection,
    room: &RoomName,
    author: &UserId,
) -> Result<bool, Failure> {
    let (allowed,): (bool,) = sqlx::query_as(
        "SELECT NOT EXISTS (SELECT 1 FROM private_rooms WHERE room = ?1) \
         OR EXISTS (SELECT 1 FROM memberships WHERE user_id = ?2 AND room = ?1)",
    )
    .bind(room.as_str())
    .bind(author.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(allowed)
}

/// The mentions column: JSON, or NULL for none.
fn mentions_json(mentions: &[Mention]) -> Result<Option<String>, Failure> {
    if mentions.is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_json::to_string(mentions).map_err(corrupt)?))
}

/// How message `seq` shows in a reply to it, if it is stored.
async fn quote(
    conn: &mut SqliteConnection,
    room: &RoomName,
    seq: Seq,
) -> Result<Option<Quote>, Failure> {
    let found: Option<(String, String, String, Option<i64>, bool)> = sqlx::query_as(
        "SELECT author_id, author, body, edited_at, deleted FROM messages WHERE room = ? AND seq = ?",
    )
    .bind(room.as_str())
    .bind(to_sql(seq))
    .fetch_optional(&mut *conn)
    .await?;
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

pub(super) async fn edit(
    conn: &mut SqliteConnection,
    edit: &EditRequest,
) -> Result<Result<MessageEdit, Refusal>, Failure> {
    if let Err(refusal) = check_author(conn, &edit.room, edit.target, Some(&edit.by)).await? {
        return Ok(Err(refusal));
    }
    let seq = log_event(conn, &edit.room, "edit", Some(edit.target), edit.at, None).await?;
    search_index::change(conn, &edit.room, edit.target, edit.body.as_str()).await?;
    sqlx::query("UPDATE messages SET body = ?, edited_at = ? WHERE room = ? AND seq = ?")
        .bind(edit.body.as_str())
        .bind(edit.at)
        .bind(edit.room.as_str())
        .bind(to_sql(edit.target))
        .execute(&mut *conn)
        .await?;
    Ok(Ok(MessageEdit {
        seq,
        room: edit.room.clone(),
        target: edit.target,
        body: edit.body.as_str().to_owned(),
        edited_at: edit.at,
    }))
}

pub(super) async fn delete(
    conn: &mut SqliteConnection,
    delete: &DeleteRequest,
) -> Result<Result<MessageDelete, Refusal>, Failure> {
    let by = (!delete.as_moderator).then_some(&delete.by);
    if let Err(refusal) = check_author(conn, &delete.room, delete.target, by).await? {
        return Ok(Err(refusal));
    }
    let seq = log_event(
        conn,
        &delete.room,
        "delete",
        Some(delete.target),
        delete.at,
        None,
    )
    .await?;
    search_index::remove(conn, &delete.room, delete.target).await?;
    sqlx::query(
        "UPDATE messages SET body = '', deleted = 1, reactions = '[]' WHERE room = ? AND seq = ?",
    )
    .bind(delete.room.as_str())
    .bind(to_sql(delete.target))
    .execute(&mut *conn)
    .await?;
    count_in_room(conn, &delete.room, -1, delete.at).await?;
    Ok(Ok(MessageDelete {
        seq,
        room: delete.room.clone(),
        target: delete.target,
        deleted_at: delete.at,
    }))
}

/// Adds or takes back a reaction; logs it only when it changes the message's reactions.
pub(super) async fn react(
    conn: &mut SqliteConnection,
    request: &ReactionRequest,
) -> Result<Reacted, Failure> {
    let found: Option<(bool, String)> =
        sqlx::query_as("SELECT deleted, reactions FROM messages WHERE room = ? AND seq = ?")
            .bind(request.room.as_str())
            .bind(to_sql(request.target))
            .fetch_optional(&mut *conn)
            .await?;
    let mut reactions: ReactionSets = match found {
        None => return Ok(Err(Refusal::NotFound)),
        Some((true, _)) => return Ok(Err(Refusal::Deleted)),
        Some((false, json)) => serde_json::from_str(&json).map_err(corrupt)?,
    };
    let changed = match request.op {
        ReactionOp::Add => match reactions.add(&request.emoji, &request.by) {
            Ok(added) => added,
            Err(limit) => return Ok(Err(Refusal::TooMany(limit))),
        },
        ReactionOp::Remove => reactions.remove(request.emoji.as_str(), &request.by.id),
    };
    if !changed {
        return Ok(Ok(None));
    }
    let seq = log_event(
        conn,
        &request.room,
        "reaction",
        Some(request.target),
        request.at,
        Some(ReactionData::json(&request.logged(Seq::ZERO))),
    )
    .await?;
    sqlx::query("UPDATE messages SET reactions = ?, reactions_at = ? WHERE room = ? AND seq = ?")
        .bind(serde_json::to_string(&reactions).map_err(corrupt)?)
        .bind(to_sql(seq))
        .bind(request.room.as_str())
        .bind(to_sql(request.target))
        .execute(&mut *conn)
        .await?;
    Ok(Ok(Some(request.logged(seq))))
}

/// Whether `by` may change message `target`: it exists, is theirs, and is not deleted.
/// Whether message `target` may be changed: it exists, is not deleted, and (unless `by` is
/// `None`, a moderator's change) is `by`'s.
async fn check_author(
    conn: &mut SqliteConnection,
    room: &RoomName,
    target: Seq,
    by: Option<&UserId>,
) -> Result<Result<(), Refusal>, Failure> {
    let found: Option<(String, bool)> =
        sqlx::query_as("SELECT author_id, deleted FROM messages WHERE room = ? AND seq = ?")
            .bind(room.as_str())
            .bind(to_sql(target))
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match found {
        None => Err(Refusal::NotFound),
        Some((author, _)) if by.is_some_and(|by| author != by.as_str()) => Err(Refusal::NotYours),
        Some((_, true)) => Err(Refusal::Deleted),
        Some(_) => Ok(()),
    })
}

/// Appends an event to the room's log with the room's next seq, and returns that seq.
async fn log_event(
    conn: &mut SqliteConnection,
    room: &RoomName,
    kind: &str,
    target: Option<Seq>,
    at: i64,
    data: Option<String>,
) -> Result<Seq, Failure> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO events (room, seq, kind, target, at, data) \
         SELECT ?1, n, ?2, COALESCE(?3, n), ?4, ?5 \
         FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM events WHERE room = ?1) \
         RETURNING seq",
    )
    .bind(room.as_str())
    .bind(kind)
    .bind(target.map(to_sql))
    .bind(at)
    .bind(data)
    .fetch_one(&mut *conn)
    .await?;
    Ok(to_seq(seq)?)
}

/// Keeps the room list's row of `room` current in the same transaction as the write, so
/// listing rooms reads one row per room instead of counting messages. A deletion counts as
/// activity too.
async fn count_in_room(
    conn: &mut SqliteConnection,
    room: &RoomName,
    messages: i64,
    at: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO rooms (room, messages, last_activity) VALUES (?1, MAX(?2, 0), ?3) \
         ON CONFLICT (room) DO UPDATE SET messages = MAX(messages + ?2, 0), \
         last_activity = MAX(last_activity, ?3)",
    )
    .bind(room.as_str())
    .bind(messages)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
