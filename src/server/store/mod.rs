//! Where messages live and get their sequence numbers. One trait, one implementation per
//! backend; the backend is chosen by configuration at start-up.

mod sqlite;

pub use sqlite::SqliteStore;

use crate::domain::{ChatMessage, ClientId, MessageBody, Nickname, RoomName, Seq};
use crate::error::ChatError;
use async_trait::async_trait;

/// A message that has passed every domain rule and waits for its seq.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub room: RoomName,
    pub author: Nickname,
    pub body: MessageBody,
    pub sent_at: i64,
    /// The sender's idempotency key: the same key in the same room stores one message.
    pub client_id: Option<ClientId>,
}

/// What `append` did: stored a new message, or found the one stored earlier under the same
/// `client_id` (which must not be broadcast again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    New(ChatMessage),
    Duplicate(ChatMessage),
}

impl Appended {
    pub fn message(&self) -> &ChatMessage {
        match self {
            Appended::New(m) | Appended::Duplicate(m) => m,
        }
    }

    pub fn into_message(self) -> ChatMessage {
        match self {
            Appended::New(m) | Appended::Duplicate(m) => m,
        }
    }
}

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
    /// Stores a message and assigns it the room's next seq, atomically and durably.
    async fn append(&self, message: NewMessage) -> Result<Appended, StoreError>;

    /// Up to `limit` messages with `seq > after`, oldest first.
    async fn read_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, StoreError>;

    /// The newest `limit` messages, oldest first.
    async fn latest(&self, room: &RoomName, limit: u32) -> Result<Vec<ChatMessage>, StoreError>;

    /// The seq of the room's newest message, `Seq::ZERO` for an empty room.
    async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError>;

    /// Answers when the store is reachable (for `/healthz`).
    async fn ping(&self) -> Result<(), StoreError>;
}

/// At the server-function boundary a store failure is logged once, and the browser learns
/// only whether trying again may help.
impl From<StoreError> for ChatError {
    fn from(error: StoreError) -> Self {
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
