//! Passkeys (WebAuthn credentials) of accounts. Every [`Store`](super::Store) is also this.
//!
//! The store keeps each passkey as the JSON `webauthn-rs` makes of it (its public key and
//! signature counter: nothing secret), under its credential id.

use super::StoreError;
use crate::domain::UserId;
use async_trait::async_trait;

/// The most passkeys an account keeps.
pub const MAX_PASSKEYS: usize = 20;

/// A passkey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPasskey {
    /// The credential id, base64url.
    pub id: String,
    pub user_id: UserId,
    /// What the person called it ("Laptop").
    pub name: String,
    /// The passkey, as `webauthn-rs` serializes it.
    pub passkey: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub last_used: Option<i64>,
}

#[async_trait]
pub trait Passkeys: Send + Sync {
    /// Adds a passkey: `false` when its credential id is registered already (to anyone).
    async fn add_passkey(&self, passkey: &StoredPasskey) -> Result<bool, StoreError>;

    /// `user`'s passkeys, oldest first.
    async fn passkeys_of(&self, user: &UserId) -> Result<Vec<StoredPasskey>, StoreError>;

    /// A sign-in used passkey `id`: its new state (signature counter) and when.
    async fn passkey_used(&self, id: &str, passkey: &str, at: i64) -> Result<(), StoreError>;

    /// Removes `user`'s passkey `id`: `false` when they have none by that id.
    async fn remove_passkey(&self, user: &UserId, id: &str) -> Result<bool, StoreError>;
}
