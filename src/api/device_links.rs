//! Bringing a second device in: a signed-in person makes a link (and its QR code) that
//! signs one more browser in to the account, once, within ten minutes. The link is a
//! secret token (`access::tokens`); opening it shows a confirmation, whose button signs
//! in (`http::routes::device_links`). It never carries the password.

use crate::error::ChatError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How long a device link works, in milliseconds.
pub const DEVICE_LINK_LASTS_MS: i64 = 10 * 60 * 1000;

/// A device link just made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceLink {
    /// To revoke it.
    pub id: String,
    /// The link, a path: `/link/{token}`.
    pub link: String,
    /// The same, with the chat's origin: what the QR code holds.
    pub url: String,
    /// Milliseconds since the Unix epoch.
    pub expires_at: i64,
    /// The QR code of `url`, an SVG document.
    pub qr_svg: String,
}

/// Makes a link that signs one more device in to the caller's account: `{"link"}` (a
/// path), with its full URL and QR code. Making one revokes the account's earlier links.
/// 401 for a guest.
#[server(endpoint = "link_device")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "link_device", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn link_device() -> Result<DeviceLink, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::server::access::limits::Action;
    use crate::server::access::tokens::{issue, TokenRequest};
    use crate::server::http::routes::device_links::{path, qr_code};
    use crate::server::store::TokenKind;

    let Call { state, session } = Call::acting(Action::Write)?;
    if session.is_guest() {
        return Err(ChatError::Unauthorized(
            "Sign in to bring another device in.".into(),
        ));
    }
    for earlier in state
        .store
        .tokens_of(&session.user_id, TokenKind::DeviceLink)
        .await?
    {
        state.store.revoke_token(&earlier.id).await?;
    }
    let issued = issue(TokenRequest {
        kind: TokenKind::DeviceLink,
        user_id: session.user_id.clone(),
        room: None,
        name: String::new(),
        now: now_millis(),
        lasts: Some(DEVICE_LINK_LASTS_MS),
    });
    state.store.create_token(&issued.stored).await?;
    let headers = use_context::<axum::http::request::Parts>().map(|parts| parts.headers);
    let origin = state.sessions.public_origin(&headers.unwrap_or_default());
    let link = path(&issued.token);
    let url = format!("{origin}{link}");
    Ok(DeviceLink {
        id: issued.stored.id.clone(),
        qr_svg: qr_code(&url)?,
        expires_at: issued.stored.expires_at.unwrap_or_default(),
        link,
        url,
    })
}

/// Revokes one of the caller's device links (unused ones; a used link is gone already).
/// 404 when they have no such link.
#[server(endpoint = "revoke_device_link")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "revoke_device_link", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn revoke_device_link(id: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;
    use crate::server::store::TokenKind;

    let Call { state, session } = Call::acting(Action::Write)?;
    let id = id.trim();
    let theirs =
        state.store.token(id).await?.filter(|token| {
            token.kind == TokenKind::DeviceLink && token.user_id == session.user_id
        });
    if theirs.is_none() || !state.store.revoke_token(id).await? {
        return Err(ChatError::NotFound("There is no such link.".into()));
    }
    Ok(())
}
