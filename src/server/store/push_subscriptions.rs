//! Where each person's browsers asked to be sent Web Push messages: a subscription is the
//! push service's URL for one browser (its `endpoint`) and that browser's keys. A person
//! has one per browser that allowed it, at most [`MAX_PUSH_SUBSCRIPTIONS`]; an endpoint
//! belongs to one person at a time (the browser's last), so signing in as someone else on
//! it moves it. A subscription made by an account's session ends with that session (signing
//! out, ending it from another device, a ban, a password change): the store's
//! `end_session` removes it (on Redis in a second step, and [`PushSubscriptions::push_subscriptions`]
//! never hands out one whose session has ended). Every [`Store`](super::Store) is also this.

use super::StoreError;
use crate::domain::UserId;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// The most browsers one person may receive pushes on.
pub const MAX_PUSH_SUBSCRIPTIONS: usize = 10;

/// One browser's subscription, as `PushSubscription.toJSON()` gives it (its keys base64url).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscription {
    pub endpoint: String,
    pub keys: PushKeys,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushKeys {
    /// The browser's P-256 public key, uncompressed.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret.
    pub auth: String,
}

#[async_trait]
pub trait PushSubscriptions: Send + Sync {
    /// Keeps `subscription` for `user`, made by their account session `session` (`None`
    /// for a guest), replacing theirs, or anyone's, on the same endpoint: false, and nothing
    /// kept, when they have [`MAX_PUSH_SUBSCRIPTIONS`] others.
    async fn add_push_subscription(
        &self,
        user: &UserId,
        session: Option<&str>,
        subscription: &PushSubscription,
    ) -> Result<bool, StoreError>;

    /// Forgets `user`'s subscription on `endpoint` (nothing happens if there is none): they
    /// turned pushes off, or the push service says it is gone.
    async fn remove_push_subscription(
        &self,
        user: &UserId,
        endpoint: &str,
    ) -> Result<(), StoreError>;

    /// The subscriptions of `user`.
    async fn push_subscriptions(&self, user: &UserId) -> Result<Vec<PushSubscription>, StoreError>;
}
