//! Anonymous sessions: a random user id and a display name in an HMAC-signed cookie. The
//! author of every write is taken from here, never from the request body. A browser (or
//! script) without a valid cookie gets a fresh guest identity.

use crate::domain::{ClientId, Nickname, OnlineUser, UserId};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "chat_session";

/// One year: the identity is a convenience, not an account.
const MAX_AGE: u32 = 365 * 24 * 60 * 60;

/// Who is making the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub name: Nickname,
}

impl Session {
    /// A new guest: random id, name like `guest-4821`.
    pub fn guest() -> Self {
        Self {
            user_id: UserId::from_random(rand::random()),
            name: Nickname::guest(rand::random()),
        }
    }

    pub fn as_online_user(&self) -> OnlineUser {
        OnlineUser {
            id: self.user_id.clone(),
            name: self.name.to_string(),
        }
    }
}

/// The secret that signs cookies. Its `Debug` never shows it.
#[derive(Clone)]
pub struct SessionKey(Arc<[u8]>);

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(<secret>)")
    }
}

impl SessionKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(secret.into())
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        // HMAC takes keys of any length; this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(payload.as_bytes());
        mac
    }

    /// The cookie value for `session`: `v1.<user id>.<name, base64url>.<HMAC, base64url>`.
    pub fn seal(&self, session: &Session) -> String {
        let payload = format!(
            "v1.{}.{}",
            session.user_id,
            URL_SAFE_NO_PAD.encode(session.name.as_str())
        );
        let tag = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    /// The session in a cookie value, if this key signed it and it still parses.
    pub fn open(&self, value: &str) -> Option<Session> {
        let (payload, tag) = value.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(payload).verify_slice(&tag).ok()?;
        let mut parts = payload.split('.');
        let (Some("v1"), Some(id), Some(name), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let name = String::from_utf8(URL_SAFE_NO_PAD.decode(name).ok()?).ok()?;
        Some(Session {
            user_id: UserId::parse(id)?,
            name: Nickname::parse(&name).ok()?,
        })
    }

    /// The `Set-Cookie` header that stores `session` in the browser.
    pub fn cookie(&self, session: &Session) -> Option<HeaderValue> {
        HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={}; Path=/; Max-Age={MAX_AGE}; HttpOnly; SameSite=Lax",
            self.seal(session)
        ))
        .ok()
    }

    /// The session of a request, from its cookie.
    pub fn from_headers(&self, headers: &HeaderMap) -> Option<Session> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == SESSION_COOKIE)
            .find_map(|(_, value)| self.open(value))
    }
}

/// Marks a request that came without a valid session cookie: a script, or a browser's very
/// first request. Its stream is not listed as someone online (a browser's page load sets the
/// cookie before its stream opens), so cookie-less clients cannot fill the presence list.
#[derive(Debug, Clone, Copy)]
pub struct NewVisitor;

/// Middleware: puts the request's `Session` in its extensions (a new guest when there is no
/// valid cookie, marked `NewVisitor`) and sends a new guest its cookie, unless the handler
/// already set one.
pub async fn attach(State(key): State<SessionKey>, mut request: Request, next: Next) -> Response {
    let existing = key.from_headers(request.headers());
    let is_new = existing.is_none();
    let session = existing.unwrap_or_else(Session::guest);
    request.extensions_mut().insert(session.clone());
    if is_new {
        request.extensions_mut().insert(NewVisitor);
    }
    let mut response = next.run(request).await;
    if is_new && !sets_session_cookie(response.headers()) {
        if let Some(cookie) = key.cookie(&session) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    response
}

fn sets_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with(SESSION_COOKIE) && v[SESSION_COOKIE.len()..].starts_with('='))
}

/// A fresh idempotency key for a composer rendered by the server.
pub fn fresh_client_id() -> ClientId {
    ClientId::from_random(rand::random())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str) -> Session {
        Session {
            user_id: UserId::from_random(42),
            name: Nickname::parse(name).expect("valid"),
        }
    }

    #[test]
    fn a_sealed_session_opens_with_the_same_key_only() {
        let key = SessionKey::new(b"one key");
        let sealed = key.seal(&session("Zoë. the =admin"));
        assert_eq!(key.open(&sealed), Some(session("Zoë. the =admin")));
        assert_eq!(SessionKey::new(b"another key").open(&sealed), None);
    }

    #[test]
    fn a_tampered_cookie_is_worthless() {
        let key = SessionKey::new(b"k");
        let sealed = key.seal(&session("ann"));
        let other_id = sealed.replacen(
            UserId::from_random(42).as_str(),
            UserId::from_random(7).as_str(),
            1,
        );
        assert_eq!(key.open(&other_id), None, "another user id");
        let other_name = sealed.replacen(
            &URL_SAFE_NO_PAD.encode("ann"),
            &URL_SAFE_NO_PAD.encode("bob"),
            1,
        );
        assert_eq!(key.open(&other_name), None, "another name");
        assert_eq!(key.open("v1.x.y"), None);
        assert_eq!(key.open(""), None);
    }

    #[test]
    fn the_key_never_prints() {
        assert_eq!(
            format!("{:?}", SessionKey::new(b"secret")),
            "SessionKey(<secret>)"
        );
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let key = SessionKey::new(b"k");
        let mut headers = HeaderMap::new();
        let value = format!("a=1; {SESSION_COOKIE}={}; b=2", key.seal(&session("ann")));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&value).expect("ascii"),
        );
        assert_eq!(key.from_headers(&headers), Some(session("ann")));
    }
}
