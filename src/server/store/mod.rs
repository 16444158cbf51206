//! Where messages live and get their sequence numbers. One trait, one implementation per
//! backend; the backend is chosen by configuration at start-up.

mod log_row;
mod redis;
mod requests;
mod sqlite;
mod write_health;

pub use self::redis::RedisStore;
pub use requests::{
    Appended, DeleteRequest, EditRequest, NewMessage, Reacted, ReactionRequest, Refusal,
};
pub use sqlite::{file_beside, SqliteStore};
pub use write_health::{Trouble, WriteHealth};

use crate::domain::{
    ChatMessage, LogEvent, MessageDelete, MessageEdit, NotifyLevel, OnlineUser, RoomName,
    SearchPage, SearchQuery, Seq, UserId,
};
use crate::error::ChatError;
use async_trait::async_trait;
use std::sync::Arc;

/// Where a store hands the log events it commits: each room's in seq order, before the
/// writer is answered. Delivery (the hub) implements it; the store knows only this.
pub trait CommittedEvents: Send + Sync + std::fmt::Debug + 'static {
    fn committed(&self, event: &LogEvent);
}

/// A room and when it was last written to, for the room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomActivity {
    pub room: RoomName,
    /// Milliseconds since the Unix epoch of the newest message.
    pub last_activity: i64,
    pub messages: u64,
}

/// A room a person joined: how far they read it and what it notifies them of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub room: RoomName,
    /// The newest seq of the room they have seen.
    pub read: Seq,
    pub notify: NotifyLevel,
}

/// Whether a room is private, as the access checks need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Privacy {
    /// Anyone may read and write it; `has_messages` says it can no longer become private.
    Public { has_messages: bool },
    /// Only its members may; links signed for `invite_version` let people join.
    Private {
        creator: UserId,
        invite_version: u64,
    },
}

/// The most members of a room the composer is told of (to suggest whom to mention).
pub const MAX_MEMBERS_LISTED: u32 = 200;

/// The most joined rooms a person's sidebar lists (and the browser-wide stream carries).
pub const MAX_JOINED: usize = 50;

/// The store failed; the cause is for the log, never for the browser.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store is unreachable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the store failed: {0}")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// The same kind of error with the same text, for every caller that shared the failed
    /// operation (the cause itself cannot be cloned).
    pub fn shared(&self) -> StoreError {
        let text: Box<dyn std::error::Error + Send + Sync> = self.to_string().into();
        match self {
            StoreError::Unavailable(_) => StoreError::Unavailable(text),
            StoreError::Failed(_) => StoreError::Failed(text),
        }
    }
}

/// Durable, ordered history per room.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// From now on, hands every committed log event to `delivery`, in seq order, before the
    /// writer is answered. Delivering in commit order (not from each request, where two
    /// concurrent sends may publish out of order) spares the streams a catch-up read per gap.
    /// The Redis store announces from its write scripts instead and ignores this.
    fn deliver_commits_to(&self, _delivery: Arc<dyn CommittedEvents>) {}

    /// Whether writes work, for stores with a writer of their own (SQLite): readiness fails
    /// while they do not.
    fn write_health(&self) -> Option<&WriteHealth> {
        None
    }

    /// Stores a message and assigns it the room's next seq, atomically and durably.
    async fn append(&self, message: NewMessage) -> Result<Appended, StoreError>;

    /// Changes a message's text if `by` wrote it, logging an `edit` event with its own seq.
    async fn edit(&self, edit: EditRequest) -> Result<Result<MessageEdit, Refusal>, StoreError>;

    /// Deletes a message if `by` wrote it, logging a `delete` event with its own seq.
    async fn delete(
        &self,
        delete: DeleteRequest,
    ) -> Result<Result<MessageDelete, Refusal>, StoreError>;

    /// Adds or takes back a reaction on a message that is not deleted, logging a
    /// `reaction` event with its own seq when it changes something.
    async fn react(&self, reaction: ReactionRequest) -> Result<Reacted, StoreError>;

    /// Message `seq` of `room` as it is now, if it is stored.
    async fn message(&self, room: &RoomName, seq: Seq) -> Result<Option<ChatMessage>, StoreError> {
        let mut found = self.before(room, seq.next(), 1).await?;
        Ok(found.pop().filter(|message| message.seq == seq))
    }

    /// Up to `limit` log events with `seq > after`, oldest first.
    async fn read_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<LogEvent>, StoreError>;

    /// The newest `limit` messages as they are now, oldest first.
    async fn latest(&self, room: &RoomName, limit: u32) -> Result<Vec<ChatMessage>, StoreError> {
        self.before(room, Seq(u64::MAX), limit).await
    }

    /// The `limit` messages just before `before`, oldest first (scroll-back).
    async fn before(
        &self,
        room: &RoomName,
        before: Seq,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// The `limit` messages just after `after`, oldest first (reading on from a permalink).
    async fn after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// The seq of the room's newest event, `Seq::ZERO` for an empty room.
    async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError>;

    /// The most recently active rooms, newest first.
    async fn rooms(&self, limit: u32) -> Result<Vec<RoomActivity>, StoreError>;

    /// Answers when the store is reachable (for `/healthz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Up to `limit` messages (not deleted) whose words match `query`, in `room` or in any
    /// room, newest first, older than the page that answered `older` = `before`.
    async fn search(
        &self,
        query: &SearchQuery,
        room: Option<&RoomName>,
        before: Option<u64>,
        limit: u32,
    ) -> Result<SearchPage<ChatMessage>, StoreError>;

    /// The rooms `user` has joined (at most [`MAX_JOINED`], by name).
    async fn joined_rooms(&self, user: &UserId) -> Result<Vec<Membership>, StoreError>;

    /// `user` has seen `room` up to `seq` (joining it if they had not): the mark never moves
    /// back; the room knows them by their name now.
    async fn mark_read(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        seq: Seq,
    ) -> Result<(), StoreError>;

    /// Whether `room` is private (and then whose and which invite links are good).
    async fn privacy(&self, room: &RoomName) -> Result<Privacy, StoreError>;

    /// Makes `room` a private room of `creator` (its first member), unless the name is in
    /// use (a message, a member or a private room): `false` then, and nothing changes.
    async fn create_private(
        &self,
        room: &RoomName,
        creator: &OnlineUser,
        at: i64,
    ) -> Result<bool, StoreError>;

    /// `user` joins private `room` with a link signed for `invite_version`, read up to the
    /// room's newest seq: `false` (and nothing changes) when that is not the room's current
    /// invite version.
    async fn join_by_invite(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        invite_version: u64,
    ) -> Result<bool, StoreError>;

    /// A new invite version for private `room` (every older link stops working); `None`
    /// when the room is not private.
    async fn renew_invite(&self, room: &RoomName) -> Result<Option<u64>, StoreError>;

    /// Whether `user` joined `room` (and has not left it).
    async fn is_member(&self, user: &UserId, room: &RoomName) -> Result<bool, StoreError>;

    /// Every room `user` joined knows them by their name now.
    async fn rename_member(&self, user: &OnlineUser) -> Result<(), StoreError>;

    /// What `room` notifies `user` of; `false` (and nothing changed) if they have not joined it.
    async fn set_notify(
        &self,
        user: &UserId,
        room: &RoomName,
        level: NotifyLevel,
    ) -> Result<bool, StoreError>;

    /// The people who joined `room`, by name (at most `limit`), each with the name the
    /// room knows them by.
    async fn members(&self, room: &RoomName, limit: u32) -> Result<Vec<OnlineUser>, StoreError>;

    /// Those of `ids` who joined `room` (in the order of `ids`), with the name the room
    /// knows them by.
    async fn members_among(
        &self,
        room: &RoomName,
        ids: &[UserId],
    ) -> Result<Vec<OnlineUser>, StoreError>;

    /// `user` left `room`: it leaves their sidebar.
    async fn leave_room(&self, user: &UserId, room: &RoomName) -> Result<(), StoreError>;
}

/// At the server-function boundary a store failure is logged once, and the browser learns
/// only whether trying again may help.
impl From<StoreError> for ChatError {
    fn from(error: StoreError) -> Self {
        crate::server::metrics::store_error();
        match error {
            StoreError::Unavailable(_) => {
                tracing::warn!(%error, "store unavailable");
                ChatError::Unavailable
            }
            StoreError::Failed(_) => {
                tracing::error!(%error, "store failed");
                ChatError::Internal
            }
        }
    }
}
