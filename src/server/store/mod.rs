//! Where messages live and get their sequence numbers. One trait, one implementation per
//! backend (`sqlite/`, `redis/`); the backend is chosen by configuration at start-up.
//! `tests/api/store_contract/` runs what the traits promise on both.
//!
//! May import: `settings`, `metrics` (nothing else of the server).

mod accounts;
pub mod addresses;
mod heavy_reads;
mod log_row;
mod members;
pub mod passkeys;
mod push_subscriptions;
mod redis;
pub mod redis_keys;
mod requests;
mod retention;
mod sqlite;
mod tokens;
mod uploads;
mod write_health;

pub use self::redis::batch as redis_batch;
pub use self::redis::client as redis_client;
pub use self::redis::connection as redis_connection;
pub use self::redis::RedisStore;
pub use accounts::{Account, AccountRefusal, Accounts, NewAccount, StoredSession};
pub use addresses::{AddressBan, AddressNote, Addresses};
pub use members::{Membership, Privacy, RoomMembers, MAX_JOINED, MAX_MEMBERS_LISTED};
pub use passkeys::{Passkeys, StoredPasskey, MAX_PASSKEYS};
pub use push_subscriptions::{
    PushKeys, PushSubscription, PushSubscriptions, MAX_PUSH_SUBSCRIPTIONS,
};
pub use requests::{
    Appended, DeleteRequest, EditRequest, NewMessage, PinRequest, Pinned, Reacted, ReactionRequest,
    Refusal,
};
pub use retention::{Forgotten, Retention};
pub use sqlite::{database_file, file_beside, SqliteStore};
pub use tokens::{StoredToken, TokenKind, Tokens};
pub use uploads::{StoredUpload, UploadBounds, UploadRefusal, Uploads};
pub use write_health::{Trouble, WriteHealth};

use crate::domain::{
    ChatMessage, LogEvent, MessageDelete, MessageEdit, RoomName, SearchCursor, SearchPage,
    SearchQuery, Seq, UserId,
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

/// The store failed; the cause is for the log, never for the browser.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store is unreachable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the store failed: {0}")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A search ran longer than it may, and was stopped.
    #[error("the search ran too long and was stopped")]
    TooSlow,
}

impl StoreError {
    /// The same kind of error with the same text, for every caller that shared the failed
    /// operation (the cause itself cannot be cloned).
    pub fn shared(&self) -> StoreError {
        let text: Box<dyn std::error::Error + Send + Sync> = self.to_string().into();
        match self {
            StoreError::Unavailable(_) => StoreError::Unavailable(text),
            StoreError::Failed(_) => StoreError::Failed(text),
            StoreError::TooSlow => StoreError::TooSlow,
        }
    }
}

/// Durable, ordered history per room (and, through [`RoomMembers`], who joined each).
#[async_trait]
pub trait Store:
    RoomMembers
    + Accounts
    + Addresses
    + Passkeys
    + PushSubscriptions
    + Tokens
    + Uploads
    + Retention
    + Send
    + Sync
    + 'static
{
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

    /// Stores a message and assigns it the room's next seq, atomically and durably; with
    /// `recheck_access`, refuses (`Refusal::Private`, nothing stored) an author who may not
    /// write the room.
    async fn append(&self, message: NewMessage) -> Result<Result<Appended, Refusal>, StoreError>;

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

    /// Pins or unpins a message that is not deleted, logging a `pin` event with its own seq
    /// when it changes something; refuses a pin past [`crate::domain::MAX_PINS_PER_ROOM`].
    /// Deleting a message unpins it without an event of its own.
    async fn pin(&self, pin: PinRequest) -> Result<Pinned, StoreError>;

    /// The room's pinned messages as they are now (deleted ones never), the most recently
    /// pinned first, as `viewer` is shown them.
    async fn pins(
        &self,
        room: &RoomName,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// Message `seq` of `room` as it is now, if it is stored.
    async fn message(&self, room: &RoomName, seq: Seq) -> Result<Option<ChatMessage>, StoreError> {
        let mut found = self.before(room, seq.next(), 1, None).await?;
        Ok(found.pop().filter(|message| message.seq == seq))
    }

    /// Up to `limit` log events with `seq > after`, oldest first.
    async fn read_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<LogEvent>, StoreError>;

    /// The newest `limit` messages as they are now, oldest first, as `viewer` is shown
    /// them (their reactions name the viewer when they reacted).
    async fn latest(
        &self,
        room: &RoomName,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        self.before(room, Seq(u64::MAX), limit, viewer).await
    }

    /// The `limit` messages just before `before`, oldest first (scroll-back).
    async fn before(
        &self,
        room: &RoomName,
        before: Seq,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// The `limit` messages just after `after`, oldest first (reading on from a permalink).
    async fn after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// The seq of the room's newest event, `Seq::ZERO` for an empty room.
    async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError>;

    /// The most recently active rooms, newest first (public ones only).
    async fn rooms(&self, limit: u32) -> Result<Vec<RoomActivity>, StoreError>;

    /// How many messages each of `rooms` holds (private ones too), in their order.
    async fn message_counts(&self, rooms: &[RoomName]) -> Result<Vec<u64>, StoreError>;

    /// Answers when the store is reachable (for `/healthz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Up to `limit` messages (not deleted) whose words match `query`, in `room` or in any
    /// room `reader` may read (public ones, and private ones they are a member of), newest
    /// first, below `before`. Rooms `reader` may not read are left out inside the query
    /// itself: no field of the answer, `has_older` and `older` included, depends on them.
    /// The caller checks that `reader` may read `room` and `before`'s room.
    async fn search(
        &self,
        query: &SearchQuery,
        room: Option<&RoomName>,
        reader: &UserId,
        before: Option<&SearchCursor>,
        limit: u32,
    ) -> Result<SearchPage<ChatMessage>, StoreError>;
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
            StoreError::TooSlow => ChatError::Invalid(
                "This search takes too long: add a word, or search one room.".into(),
            ),
        }
    }
}
