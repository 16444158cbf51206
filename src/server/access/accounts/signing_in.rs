//! Opening a session of an account on a device: what signing in by password, by passkey
//! or by a device link all end with.

use super::new_session_id;
use crate::domain::{Nickname, Role, UserId};
use crate::error::ChatError;
use crate::server::access::session::{Session, Sessions, SignedIn};
use crate::server::store::{Store, StoredSession};
use axum::http::{header, HeaderMap, HeaderValue};

/// The longest user agent kept.
const USER_AGENT_CHARS: usize = 256;

/// Who signs in.
pub struct SigningIn<'a> {
    pub user_id: &'a UserId,
    pub name: &'a str,
    pub role: Role,
    /// The request's headers (its user agent names the device on the sessions page).
    pub headers: Option<&'a HeaderMap>,
    pub now: i64,
}

/// Stores a new session of the account and answers the cookie that names it.
pub async fn open_session(
    store: &dyn Store,
    sessions: &Sessions,
    who: SigningIn<'_>,
) -> Result<HeaderValue, ChatError> {
    let user_agent: String = who
        .headers
        .and_then(|headers| headers.get(header::USER_AGENT))
        .and_then(|agent| agent.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(USER_AGENT_CHARS)
        .collect();
    let stored = StoredSession {
        id: new_session_id(),
        user_id: who.user_id.clone(),
        created_at: who.now,
        last_seen: who.now,
        user_agent,
    };
    store.create_session(&stored).await?;
    let session = Session {
        user_id: who.user_id.clone(),
        name: Nickname::parse(who.name)?,
        signed_in: Some(SignedIn {
            session_id: stored.id,
            role: who.role,
        }),
    };
    sessions.cookie(&session).ok_or(ChatError::Internal)
}
