//! Who makes a request. A guest is a random user id and a display name in an HMAC-signed
//! cookie; an account's session is a random id the store keeps (`book.rs`), named by a
//! signed cookie. The author of every write is taken from here, never from the request
//! body. A browser (or script) without a valid cookie, or whose session ended, gets a fresh
//! guest identity.
//!
//! The signing keys never live in the store, so a copy of the database (or of Redis) is not
//! enough to sign in as anyone: they come from `CHAT_SESSION_SECRET` (required with Redis,
//! where every node must share them) or, for a single SQLite node, from a key file of their
//! own (`key_file`).

mod book;
mod cookie;
pub mod key_file;
mod session_settings;
mod signer;

pub use book::{now_millis, Resolved, SessionBook, SessionWatch, FRESH_FOR};
pub use cookie::{
    is_session_id, Identity, Opened, Sessions, SECURE_SESSION_COOKIE, SESSION_COOKIE,
};
pub use session_settings::SessionSettings;
pub use signer::Signer;

use crate::domain::{ClientId, Nickname, OnlineUser, Role, UserId};
use crate::error::ChatError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Response};

/// Who is making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub name: Nickname,
    /// Set for an account's session; a guest has none.
    pub signed_in: Option<SignedIn>,
}

/// An account's session: which one, and what the account may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub session_id: String,
    pub role: Role,
}

impl Session {
    /// A new guest: random id, name like `guest-4821`.
    pub fn guest() -> Self {
        Self {
            user_id: UserId::from_random(rand::random()),
            name: Nickname::guest(rand::random()),
            signed_in: None,
        }
    }

    pub fn is_guest(&self) -> bool {
        self.signed_in.is_none()
    }

    pub fn as_online_user(&self) -> OnlineUser {
        OnlineUser {
            id: self.user_id.clone(),
            name: self.name.to_string(),
        }
    }
}

/// Marks a request that came without a valid session cookie: a script, or a browser's very
/// first request. Its stream is not listed as someone online (a browser's page load sets the
/// cookie before its stream opens), so cookie-less clients cannot fill the presence list.
#[derive(Debug, Clone, Copy)]
pub struct NewVisitor;

/// Middleware: puts the request's `Session` in its extensions: an API token's account
/// (`Authorization: Bearer`, 401 when the token does not work), or the cookie's session (a
/// new guest when there is no valid cookie, marked `NewVisitor`). A new guest gets its cookie, and a session whose
/// cookie is due for renewal (a day old, or signed with an older key) a fresh one, unless
/// the handler already set one.
pub async fn attach(
    State(sessions): State<Sessions>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(token) = bearer(request.headers()) {
        // A script with an API token: the token's account, no cookie read or set.
        return match resolve_token(&sessions, token).await {
            Ok(Some(resolved)) => {
                request.extensions_mut().insert(Session {
                    user_id: resolved.user_id,
                    name: resolved.name,
                    signed_in: Some(resolved.signed_in),
                });
                next.run(request).await
            }
            Ok(None) => ChatError::Unauthorized(
                "That API token does not work: it may have been revoked.".into(),
            )
            .into_response(),
            Err(error) => unavailable(error),
        };
    }
    let (session, is_new, renew) = match sessions.from_headers(request.headers()) {
        Some(Opened {
            identity: Identity::Guest(session),
            renew,
        }) => match is_account(&sessions, &session.user_id).await {
            Ok(false) => (session, false, renew),
            // A guest who signed up: this older cookie is not the account.
            Ok(true) => (Session::guest(), true, true),
            Err(error) => return unavailable(error),
        },
        Some(Opened {
            identity: Identity::Account(id),
            renew,
        }) => match resolve(&sessions, &id).await {
            Ok(Some(resolved)) => (
                Session {
                    user_id: resolved.user_id,
                    name: resolved.name,
                    signed_in: Some(resolved.signed_in),
                },
                false,
                renew,
            ),
            // Ended (or signed out): as if there were no cookie.
            Ok(None) => (Session::guest(), true, true),
            // Never a guest in the account's place: the request waits for the store.
            Err(error) => return unavailable(error),
        },
        None => (Session::guest(), true, true),
    };
    request.extensions_mut().insert(session.clone());
    if is_new {
        request.extensions_mut().insert(NewVisitor);
    }
    let mut response = next.run(request).await;
    if renew && !sessions.is_set_by(response.headers()) {
        if let Some(cookie) = sessions.cookie(&session) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    response
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

async fn resolve_token(
    sessions: &Sessions,
    token: &str,
) -> Result<Option<Resolved>, crate::server::store::StoreError> {
    match sessions.book() {
        Some(book) => book.resolve_token(token).await,
        None => Ok(None),
    }
}

/// The answer when who makes the request cannot be read.
fn unavailable(error: crate::server::store::StoreError) -> Response {
    tracing::warn!(%error, "could not read a session");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(ChatError::Unavailable),
    )
        .into_response()
}

async fn is_account(
    sessions: &Sessions,
    user: &UserId,
) -> Result<bool, crate::server::store::StoreError> {
    match sessions.book() {
        Some(book) => book.is_account(user).await,
        None => Ok(false),
    }
}

async fn resolve(
    sessions: &Sessions,
    id: &str,
) -> Result<Option<Resolved>, crate::server::store::StoreError> {
    match sessions.book() {
        Some(book) => book.resolve(id).await,
        None => Ok(None),
    }
}

/// A fresh idempotency key for a composer rendered by the server.
pub fn fresh_client_id() -> ClientId {
    ClientId::from_random(rand::random())
}
