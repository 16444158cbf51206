//! Rows as SQLite returns them, and their conversion to domain values.

use crate::domain::{ChatMessage, LogEvent, Quote, Reactions, RoomName, Seq, UserId};
use crate::server::store::log_row::log_event;
use crate::server::store::StoreError;
use sqlx::FromRow;

/// The columns every message query selects: the message `m`, and `q`, the message it
/// answers (joined by [`QUOTE_JOIN`]).
pub(super) const MESSAGE_COLUMNS: &str =
    "m.room, m.seq, m.author_id, m.author, m.body, m.sent_at, m.edited_at, m.deleted, \
     m.reply_to, m.reactions, m.reactions_at, m.mentions, m.bot, m.pinned_seq, m.attachments, q.author_id AS q_author_id, q.author AS q_author, \
     q.body AS q_body, q.edited_at AS q_edited_at, q.deleted AS q_deleted";

/// Room ?1's newest seq: its newest event's, or the newest retention removed when that is
/// later (seqs are never given twice, even when retention took the newest events).
pub(super) const LAST_SEQ: &str = "SELECT MAX(\
    COALESCE((SELECT MAX(seq) FROM events WHERE room = ?1), 0), \
    COALESCE((SELECT high FROM log_cuts WHERE room = ?1), 0))";

/// Joins each message `m` with the message it answers, `q`, when it is a reply.
pub(super) const QUOTE_JOIN: &str =
    "LEFT JOIN messages q ON q.room = m.room AND q.seq = m.reply_to";

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
    reply_to: Option<i64>,
    reactions: String,
    reactions_at: i64,
    mentions: Option<String>,
    bot: bool,
    /// The `pin` event's seq while it is pinned.
    pinned_seq: Option<i64>,
    /// Its files (JSON), if it carries any.
    attachments: Option<String>,
    q_author_id: Option<String>,
    q_author: Option<String>,
    q_body: Option<String>,
    q_edited_at: Option<i64>,
    q_deleted: Option<bool>,
}

/// A log event joined with the current state of the message it is about.
#[derive(FromRow)]
pub(super) struct EventRow {
    event_seq: i64,
    kind: String,
    at: i64,
    /// A reaction's own data (JSON).
    data: Option<String>,
    #[sqlx(flatten)]
    message: MessageRow,
}

impl TryFrom<MessageRow> for ChatMessage {
    type Error = StoreError;

    /// The message as anyone is shown it.
    fn try_from(row: MessageRow) -> Result<Self, StoreError> {
        row.shown_to(None)
    }
}

impl MessageRow {
    /// The row as the writer's own connection (rusqlite) reads it, by the names of
    /// [`MESSAGE_COLUMNS`].
    pub(super) fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            room: row.get("room")?,
            seq: row.get("seq")?,
            author_id: row.get("author_id")?,
            author: row.get("author")?,
            body: row.get("body")?,
            sent_at: row.get("sent_at")?,
            edited_at: row.get("edited_at")?,
            deleted: row.get("deleted")?,
            reply_to: row.get("reply_to")?,
            reactions: row.get("reactions")?,
            reactions_at: row.get("reactions_at")?,
            mentions: row.get("mentions")?,
            bot: row.get("bot")?,
            pinned_seq: row.get("pinned_seq")?,
            attachments: row.get("attachments")?,
            q_author_id: row.get("q_author_id")?,
            q_author: row.get("q_author")?,
            q_body: row.get("q_body")?,
            q_edited_at: row.get("q_edited_at")?,
            q_deleted: row.get("q_deleted")?,
        })
    }

    /// How long its stored reactions are, in bytes.
    pub(super) fn reactions_len(&self) -> usize {
        self.reactions.len()
    }

    /// The message as `viewer` is shown it: its reactions name them when they reacted.
    pub(super) fn shown_to(self, viewer: Option<&UserId>) -> Result<ChatMessage, StoreError> {
        let row = self;
        let quote = match (row.q_author_id, row.q_author) {
            (Some(author_id), Some(author)) => Some(Quote::new(
                user_id(&author_id)?,
                author,
                row.q_body.as_deref().unwrap_or_default(),
                row.q_edited_at.is_some(),
                row.q_deleted.unwrap_or_default(),
            )),
            _ => None,
        };
        Ok(ChatMessage {
            seq: to_seq(row.seq)?,
            room: RoomName::parse(&row.room).map_err(corrupt)?,
            author_id: user_id(&row.author_id)?,
            author: row.author,
            body: row.body,
            sent_at: row.sent_at,
            edited_at: row.edited_at,
            deleted: row.deleted,
            reply_to: row.reply_to.map(to_seq).transpose()?,
            quote,
            reactions: Reactions::from_stored_json(&row.reactions, viewer).map_err(corrupt)?,
            reactions_at: to_seq(row.reactions_at)?,
            mentions: match row.mentions {
                Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
                None => Vec::new(),
            },
            bot: row.bot,
            pinned: row.pinned_seq.is_some(),
            attachments: match row.attachments {
                Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
                None => Vec::new(),
            },
        })
    }
}

fn user_id(raw: &str) -> Result<UserId, StoreError> {
    UserId::parse(raw).ok_or_else(|| corrupt(format!("bad author_id {raw:?}")))
}

impl TryFrom<EventRow> for LogEvent {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        let seq = to_seq(row.event_seq)?;
        log_event(
            seq,
            &row.kind,
            row.at,
            row.data.as_deref(),
            ChatMessage::try_from(row.message)?,
        )
    }
}

pub(super) fn to_seq(raw: i64) -> Result<Seq, StoreError> {
    u64::try_from(raw).map(Seq).map_err(corrupt)
}

/// A cursor past anything SQLite can hold reads as "after everything".
pub(super) fn to_sql(seq: Seq) -> i64 {
    i64::try_from(seq.get()).unwrap_or(i64::MAX)
}

pub(super) fn corrupt(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StoreError {
    StoreError::Failed(e.into())
}
