//! Passkeys (WebAuthn, through `webauthn-rs`): the relying party the chat is, and the
//! ceremonies (registering a passkey, signing in with one) whose state waits in the store
//! between their two requests, so any node may finish what another began.
//!
//! The relying party's id is the host of the configured public URL (`CHAT_PUBLIC_URL`), or
//! of the request's own origin without one: browsers hold a passkey for that host and
//! present it only there, so a look-alike site cannot use it. An IP address cannot be one.

use crate::domain::UserId;
use crate::error::ChatError;
use crate::server::access::tokens::{issue, opens, split, TokenRequest};
use crate::server::store::{Store, TokenKind};
use webauthn_rs::prelude::{Url, Uuid, Webauthn, WebauthnBuilder};

/// How long a ceremony may take, in milliseconds (the browser's own limit is 5 minutes).
pub const CEREMONY_LASTS_MS: i64 = 5 * 60 * 1000;

/// The relying party at `origin` (`https://chat.example.com`).
pub fn relying_party(origin: &str) -> Result<Webauthn, ChatError> {
    let url = Url::parse(origin).map_err(|_| ChatError::Internal)?;
    let Some(host) = url.domain().map(str::to_owned) else {
        return Err(ChatError::Invalid(
            "Passkeys need the chat reached by a name (localhost, or CHAT_PUBLIC_URL's), not an address.".into(),
        ));
    };
    WebauthnBuilder::new(&host, &url)
        .and_then(|builder| builder.rp_name("Chat").build())
        .map_err(|error| {
            tracing::error!(%error, "passkeys: no relying party for the origin");
            ChatError::Internal
        })
}

/// The WebAuthn user handle of `user`: their 128-bit id.
pub fn user_handle(user: &UserId) -> Uuid {
    Uuid::from_u128(u128::from_str_radix(user.as_str(), 16).unwrap_or_default())
}

/// Keeps a ceremony's `state` (JSON) for `user`: the token that finishes it, once.
pub async fn begin(
    store: &dyn Store,
    user: &UserId,
    state: String,
    now: i64,
) -> Result<String, ChatError> {
    let issued = issue(TokenRequest {
        kind: TokenKind::PasskeyCeremony,
        user_id: user.clone(),
        room: None,
        name: state,
        now,
        lasts: Some(CEREMONY_LASTS_MS),
    });
    store.create_token(&issued.stored).await?;
    Ok(issued.token)
}

/// The person and state of the ceremony `token` began, taken (a second finish finds
/// nothing); `None` for a broken, used or expired one.
pub async fn take(
    store: &dyn Store,
    token: &str,
    now: i64,
) -> Result<Option<(UserId, String)>, ChatError> {
    let Some((id, secret)) = split(token.trim()) else {
        return Ok(None);
    };
    // Only a ceremony's own token takes it (a webhook's or a link's is left alone).
    let is_ceremony = store
        .token(id)
        .await?
        .is_some_and(|stored| opens(&stored, TokenKind::PasskeyCeremony, secret, now));
    if !is_ceremony {
        return Ok(None);
    }
    Ok(store
        .take_token(id)
        .await?
        .filter(|taken| opens(taken, TokenKind::PasskeyCeremony, secret, now))
        .map(|taken| (taken.user_id, taken.name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_hosts_name_never_an_address() {
        assert!(relying_party("https://chat.example.com").is_ok());
        assert!(relying_party("http://localhost:3100").is_ok());
        assert!(matches!(
            relying_party("http://127.0.0.1:3000"),
            Err(ChatError::Invalid(_))
        ));
    }

    #[test]
    fn a_user_handle_is_the_users_id() {
        let user = UserId::parse("0123456789abcdef0123456789abcdef").expect("id");
        assert_eq!(
            user_handle(&user).simple().to_string(),
            "0123456789abcdef0123456789abcdef"
        );
    }
}
