//! Secrets that stand for a person: device links (one use, short-lived), personal API
//! tokens, a room's incoming webhooks, and passkey ceremonies under way. Every
//! [`Store`](super::Store) is also this.
//!
//! The store keeps a token's id and the SHA-256 of its secret, never the secret: the
//! person sees `{id}.{secret}` once, and `access::tokens` checks a presented one against the
//! hash in constant time.

use super::StoreError;
use crate::domain::{RoomName, UserId};
use async_trait::async_trait;

/// What a token opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Signs one more device in to the account, once.
    DeviceLink,
    /// Acts as the account on the JSON API (`Authorization: Bearer`).
    ApiToken,
    /// Posts messages to one room as a bot.
    Webhook,
    /// A passkey ceremony under way (registering one, or signing in with one): its `name`
    /// holds the ceremony's state, for the request that finishes it, once, within minutes.
    PasskeyCeremony,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::DeviceLink => "link",
            TokenKind::ApiToken => "api",
            TokenKind::Webhook => "hook",
            TokenKind::PasskeyCeremony => "ceremony",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::DeviceLink,
            Self::ApiToken,
            Self::Webhook,
            Self::PasskeyCeremony,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == raw)
    }
}

/// A token as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// 32 hex digits, random; the part of the token before the dot.
    pub id: String,
    pub kind: TokenKind,
    /// The account it signs in or acts as; for a webhook, who made it.
    pub user_id: UserId,
    /// A webhook's room.
    pub room: Option<RoomName>,
    /// What its maker called it (a webhook's is the name its messages show); a passkey
    /// ceremony's state.
    pub name: String,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub last_used: Option<i64>,
    /// After this it opens nothing.
    pub expires_at: Option<i64>,
}

impl std::fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredToken")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("user_id", &self.user_id)
            .field("room", &self.room)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl StoredToken {
    /// Whether it may still be used at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|expires| now < expires)
    }
}

/// Device links, API tokens and webhooks.
#[async_trait]
pub trait Tokens: Send + Sync {
    async fn create_token(&self, token: &StoredToken) -> Result<(), StoreError>;

    /// Token `id`, unless it was revoked (or used up).
    async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError>;

    /// Token `id`, removed: of callers at once, one gets it. For what is used once.
    async fn take_token(&self, id: &str) -> Result<Option<StoredToken>, StoreError>;

    /// `user`'s tokens of `kind`, newest first.
    async fn tokens_of(
        &self,
        user: &UserId,
        kind: TokenKind,
    ) -> Result<Vec<StoredToken>, StoreError>;

    /// `room`'s webhooks, newest first.
    async fn webhooks_of(&self, room: &RoomName) -> Result<Vec<StoredToken>, StoreError>;

    /// Token `id` was used at `at`.
    async fn touch_token(&self, id: &str, at: i64) -> Result<(), StoreError>;

    /// Token `id` opens nothing from now on: `false` when there was no such token.
    async fn revoke_token(&self, id: &str) -> Result<bool, StoreError>;
}
