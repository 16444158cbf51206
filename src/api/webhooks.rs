//! Incoming webhooks: the room's creator (or an administrator) makes a secret URL to which
//! a script posts messages, shown from the webhook's name and marked as a bot's
//! (`http::routes::webhooks` takes the posts). Listed for who moderates the room, revoked
//! one by one; the secret is shown once and kept as a hash.

use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// The most webhooks one room may have.
pub const MAX_WEBHOOKS_PER_ROOM: usize = 20;

/// A webhook just made: the only time its URL is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub id: String,
    /// A path: `/hooks/{token}`.
    pub url: String,
}

/// A webhook as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookInfo {
    pub id: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub last_used: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookInfo>,
}

/// Makes an incoming webhook for `room` whose messages show `name` (a display name's
/// rules): `{"id", "url"}`. For the room's creator and administrators (403 otherwise).
#[server(endpoint = "create_webhook")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "create_webhook", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn create_webhook(room: String, name: String) -> Result<NewWebhook, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::Nickname;
    use crate::server::access::limits::Action;
    use crate::server::access::tokens::{issue, TokenRequest};
    use crate::server::http::routes::webhooks::path;
    use crate::server::store::TokenKind;

    let (call, room) = Call::acting(Action::Write)?.in_room(&room).await?;
    moderating(&call, &room).await?;
    let name = Nickname::parse(&name)?;
    if call.state.store.webhooks_of(&room).await?.len() >= MAX_WEBHOOKS_PER_ROOM {
        return Err(ChatError::Invalid(format!(
            "A room has at most {MAX_WEBHOOKS_PER_ROOM} webhooks: revoke one first."
        )));
    }
    let issued = issue(TokenRequest {
        kind: TokenKind::Webhook,
        user_id: call.session.user_id.clone(),
        room: Some(room),
        name: name.to_string(),
        now: now_millis(),
        lasts: None,
    });
    call.state.store.create_token(&issued.stored).await?;
    Ok(NewWebhook {
        id: issued.stored.id,
        url: path(&issued.token),
    })
}

/// `room`'s webhooks, newest first, for who moderates it (403 otherwise).
#[server(endpoint = "webhooks", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "webhooks", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn list_webhooks(room: String) -> Result<WebhookList, ChatError> {
    use super::server_context::Call;

    let (call, room) = Call::reading()?.in_room(&room).await?;
    moderating(&call, &room).await?;
    let webhooks = call
        .state
        .store
        .webhooks_of(&room)
        .await?
        .into_iter()
        .map(|hook| WebhookInfo {
            id: hook.id,
            name: hook.name,
            created_at: hook.created_at,
            last_used: hook.last_used,
        })
        .collect();
    Ok(WebhookList { webhooks })
}

/// Revokes webhook `id`: posts to it answer 404 from now on. For its room's creator and
/// administrators; 404 for a webhook that is not (or whose room the caller cannot see).
#[server(endpoint = "revoke_webhook")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "revoke_webhook", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn revoke_webhook(id: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;
    use crate::server::store::TokenKind;

    let call = Call::acting(Action::Write)?;
    let not_found = || ChatError::NotFound("There is no such webhook.".into());
    let id = id.trim();
    let hook = call
        .state
        .store
        .token(id)
        .await?
        .filter(|hook| hook.kind == TokenKind::Webhook)
        .ok_or_else(not_found)?;
    let room = hook.room.ok_or_else(not_found)?;
    let (call, room) = call.in_room(room.as_str()).await.map_err(|_| not_found())?;
    moderating(&call, &room).await?;
    if !call.state.store.revoke_token(id).await? {
        return Err(not_found());
    }
    Ok(())
}

/// 403 unless the caller moderates `room` (its creator, or an administrator).
#[cfg(feature = "ssr")]
async fn moderating(
    call: &super::server_context::Call,
    room: &crate::domain::RoomName,
) -> Result<(), ChatError> {
    let role = call.session.signed_in.as_ref().map(|s| s.role);
    if call
        .state
        .access
        .moderates(&call.session.user_id, role, room)
        .await?
    {
        Ok(())
    } else {
        Err(ChatError::Forbidden(
            "Only the room's creator and administrators manage its webhooks.".into(),
        ))
    }
}
