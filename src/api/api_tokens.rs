//! Personal API tokens: an account makes a token (shown once, kept as the hash of its
//! secret) that stands in for its cookie as `Authorization: Bearer …`, so a script acts as
//! that person; tokens are listed with their last use and revoked one by one.

use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// The most API tokens one account may have.
pub const MAX_API_TOKENS: usize = 20;
/// The longest name of a token.
pub const TOKEN_NAME_CHARS: usize = 60;

/// A token just made: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub id: String,
    /// What goes after `Authorization: Bearer `.
    pub token: String,
}

/// A token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When a request last used it (to the minute), if ever.
    pub last_used: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenList {
    pub tokens: Vec<ApiTokenInfo>,
}

/// Makes a personal API token called `name`: `{"id", "token"}`, the token shown this once.
/// 401 for a guest; 422 for an empty or long name, or past [`MAX_API_TOKENS`].
#[server(endpoint = "create_token")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "create_token", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn create_token(name: String) -> Result<NewApiToken, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::server::access::limits::Action;
    use crate::server::access::tokens::{issue, TokenRequest};
    use crate::server::store::TokenKind;

    let Call { state, session } = Call::acting(Action::Write)?;
    let user_id = signed_in(&session)?;
    let name = token_name(&name)?;
    let existing = state.store.tokens_of(&user_id, TokenKind::ApiToken).await?;
    if existing.len() >= MAX_API_TOKENS {
        return Err(ChatError::Invalid(format!(
            "An account has at most {MAX_API_TOKENS} tokens: revoke one first."
        )));
    }
    let issued = issue(TokenRequest {
        kind: TokenKind::ApiToken,
        user_id,
        room: None,
        name,
        now: now_millis(),
        lasts: None,
    });
    state.store.create_token(&issued.stored).await?;
    // The token itself: never compressed (BREACH, `compression.rs`).
    crate::server::http::edge::compression::carries_secret();
    Ok(NewApiToken {
        id: issued.stored.id,
        token: issued.token,
    })
}

/// The account's API tokens, newest first, without their secrets. 401 for a guest.
#[server(endpoint = "tokens", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "tokens", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn list_tokens() -> Result<ApiTokenList, ChatError> {
    use super::server_context::Call;
    use crate::server::store::TokenKind;

    let Call { state, session } = Call::reading()?;
    let user_id = signed_in(&session)?;
    let tokens = state
        .store
        .tokens_of(&user_id, TokenKind::ApiToken)
        .await?
        .into_iter()
        .map(|token| ApiTokenInfo {
            id: token.id,
            name: token.name,
            created_at: token.created_at,
            last_used: token.last_used,
        })
        .collect();
    Ok(ApiTokenList { tokens })
}

/// Revokes one of the account's API tokens: requests with it answer 401 from now on (on
/// every node within a second), and streams opened with it close. 404 for anyone else's.
#[server(endpoint = "revoke_token")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "revoke_token", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn revoke_token(id: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;
    use crate::server::store::TokenKind;

    let Call { state, session } = Call::acting(Action::Write)?;
    let user_id = signed_in(&session)?;
    let id = id.trim();
    let theirs = state
        .store
        .token(id)
        .await?
        .filter(|token| token.kind == TokenKind::ApiToken && token.user_id == user_id);
    if theirs.is_none() || !state.store.revoke_token(id).await? {
        return Err(ChatError::NotFound("There is no such token.".into()));
    }
    state.fanout.session_ended(id).await;
    Ok(())
}

/// The account's user id; 401 for a guest.
#[cfg(feature = "ssr")]
fn signed_in(
    session: &crate::server::access::session::Session,
) -> Result<crate::domain::UserId, ChatError> {
    if session.is_guest() {
        return Err(ChatError::Unauthorized("Sign in to use API tokens.".into()));
    }
    Ok(session.user_id.clone())
}

/// A token's name: trimmed, 1 to [`TOKEN_NAME_CHARS`] characters, no control characters.
pub fn token_name(raw: &str) -> Result<String, ChatError> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 || count > TOKEN_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ChatError::Invalid(format!(
            "A name of 1 to {TOKEN_NAME_CHARS} characters, to tell it apart later."
        )));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::token_name;

    #[test]
    fn a_token_has_a_short_plain_name() {
        assert_eq!(
            token_name("  backup script ").ok().as_deref(),
            Some("backup script")
        );
        assert!(token_name("   ").is_err());
        assert!(token_name(&"x".repeat(61)).is_err());
        assert!(token_name("two\nlines").is_err());
    }
}
