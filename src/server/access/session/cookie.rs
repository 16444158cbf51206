//! The session cookie, signed with the newest key and accepted under any configured one
//! (rotation), valid for `idle` after it was issued and renewed as it is used:
//! - a guest's: `v2.<user id>.<name, base64url>.<issued at, unix seconds>.<HMAC>`, all of
//!   the guest in the cookie;
//! - an account's: `v3.<session id>.<issued at>.<HMAC>`, a session the store keeps (and can
//!   end: `SessionBook` reads it).

use super::book::SessionBook;
use super::session_settings::SessionSettings;
use super::signer::Signer;
use super::Session;
use crate::domain::{Nickname, UserId};
use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "chat_session";
/// Its name over HTTPS: the browser only accepts it with `Secure` and `Path=/`, without
/// `Domain`, from the host itself, so neither another subdomain nor plain HTTP can set it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-chat_session";

/// A session is renewed (a fresh cookie sent) when its cookie is older than this.
const RENEW_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// How far in the future an issue time may be (another node's clock).
const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// Who a cookie says the request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A guest, whole.
    Guest(Session),
    /// An account's session, by its id: the store says whose, and whether it still holds.
    Account(String),
}

/// A session read from a cookie, with what its renewal depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub identity: Identity,
    /// Signed with an older key, or issued more than a day ago: send a fresh cookie.
    pub renew: bool,
}

/// Signs and reads session cookies. Its `Debug` never shows a key.
#[derive(Clone)]
pub struct Sessions {
    signer: Signer,
    name: &'static str,
    secure: bool,
    idle: Duration,
    guests: bool,
    /// Where account sessions are read (none: an account's cookie opens nothing).
    book: Option<Arc<SessionBook>>,
    public_url: Option<Arc<str>>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("signer", &self.signer)
            .field("name", &self.name)
            .field("idle", &self.idle)
            .finish()
    }
}

impl Sessions {
    /// `keys` newest first (an empty list gets one random key: sessions then last until
    /// the process ends).
    pub fn new(keys: Vec<Vec<u8>>, settings: &SessionSettings) -> Self {
        let keys = if keys.is_empty() {
            vec![rand::random::<[u8; 32]>().to_vec()]
        } else {
            keys
        };
        Self {
            signer: Signer::new(keys.into()),
            name: if settings.secure_cookies {
                SECURE_SESSION_COOKIE
            } else {
                SESSION_COOKIE
            },
            secure: settings.secure_cookies,
            idle: settings.idle,
            guests: settings.guests,
            book: None,
            public_url: settings.public_url.as_deref().map(Arc::from),
        }
    }

    /// Reads account sessions from `book`.
    pub fn with_book(mut self, book: Arc<SessionBook>) -> Self {
        self.book = Some(book);
        self
    }

    /// Where account sessions are read.
    pub fn book(&self) -> Option<&Arc<SessionBook>> {
        self.book.as_ref()
    }

    /// Whether people without an account may write.
    pub fn guests_may_write(&self) -> bool {
        self.guests
    }

    /// Where people reach the chat: `CHAT_PUBLIC_URL`, or else the request's `Host` (over
    /// HTTPS when cookies are secure).
    pub fn public_origin(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.to_string();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .unwrap_or("localhost");
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{host}")
    }

    /// How long an unused session lasts.
    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// Signs under the same keys (for what else the server hands out, e.g. invites).
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The cookie's name.
    pub fn cookie_name(&self) -> &'static str {
        self.name
    }

    /// The cookie value for `session`, issued at `now` (seconds since the epoch).
    pub fn seal(&self, session: &Session, now: u64) -> String {
        let payload = match &session.signed_in {
            Some(signed_in) => format!("v3.{}.{now}", signed_in.session_id),
            None => format!(
                "v2.{}.{}.{now}",
                session.user_id,
                URL_SAFE_NO_PAD.encode(session.name.as_str())
            ),
        };
        let tag = self.signer.sign(&payload);
        format!("{payload}.{tag}")
    }

    /// The session in a cookie value, if one of the keys signed it and it has not expired.
    pub fn open(&self, value: &str, now: u64) -> Option<Opened> {
        let (payload, tag) = value.rsplit_once('.')?;
        let key_index = self.signer.verify(payload, tag)?;
        let parts: Vec<&str> = payload.split('.').collect();
        let (identity, issued) = match parts.as_slice() {
            ["v2", id, name, issued] => {
                let name = String::from_utf8(URL_SAFE_NO_PAD.decode(name).ok()?).ok()?;
                let guest = Session {
                    user_id: UserId::parse(id)?,
                    name: Nickname::parse(&name).ok()?,
                    signed_in: None,
                };
                (Identity::Guest(guest), issued)
            }
            ["v3", id, issued] if is_session_id(id) => {
                (Identity::Account((*id).to_owned()), issued)
            }
            _ => return None,
        };
        let issued: u64 = issued.parse().ok()?;
        if issued > now + CLOCK_SKEW.as_secs() || now.saturating_sub(issued) > self.idle.as_secs() {
            return None;
        }
        Some(Opened {
            identity,
            renew: key_index > 0 || now.saturating_sub(issued) >= RENEW_AFTER.as_secs(),
        })
    }

    /// The `Set-Cookie` header that removes the session cookie (signing out).
    pub fn removal(&self) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
            self.name
        ))
        .ok()
    }

    /// The `Set-Cookie` header that stores `session` in the browser from now on.
    pub fn cookie(&self, session: &Session) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            self.name,
            self.seal(session, unix_now()),
            self.idle.as_secs()
        ))
        .ok()
    }

    /// The session of a request, from its cookie.
    pub fn from_headers(&self, headers: &HeaderMap) -> Option<Opened> {
        let now = unix_now();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == self.name)
            .find_map(|(_, value)| self.open(value, now))
    }

    /// Whether a response already sets the session cookie.
    pub fn is_set_by(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                v.strip_prefix(self.name)
                    .is_some_and(|rest| rest.starts_with('='))
            })
    }
}

/// A session id: 32 lowercase hex digits.
pub fn is_session_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * 60 * 60;
    const NOW: u64 = 1_800_000_000;

    fn session(name: &str) -> Session {
        Session {
            user_id: UserId::from_random(42),
            name: Nickname::parse(name).expect("valid"),
            signed_in: None,
        }
    }

    fn guest(opened: Option<Opened>) -> Option<Session> {
        match opened?.identity {
            Identity::Guest(session) => Some(session),
            Identity::Account(_) => None,
        }
    }

    fn sessions(keys: &[&[u8]]) -> Sessions {
        Sessions::new(
            keys.iter().map(|key| key.to_vec()).collect(),
            &SessionSettings::default(),
        )
    }

    #[test]
    fn a_sealed_session_opens_with_the_same_key_only() {
        let sealed = sessions(&[b"one key"]).seal(&session("Zoë. the =admin"), NOW);
        let opened = sessions(&[b"one key"]).open(&sealed, NOW);
        assert_eq!(guest(opened), Some(session("Zoë. the =admin")));
        assert_eq!(sessions(&[b"another key"]).open(&sealed, NOW), None);
    }

    #[test]
    fn a_tampered_cookie_is_worthless() {
        let keys = sessions(&[b"k"]);
        let sealed = keys.seal(&session("ann"), NOW);
        let other_id = sealed.replacen(
            UserId::from_random(42).as_str(),
            UserId::from_random(7).as_str(),
            1,
        );
        assert_eq!(keys.open(&other_id, NOW), None, "another user id");
        let other_name = sealed.replacen(
            &URL_SAFE_NO_PAD.encode("ann"),
            &URL_SAFE_NO_PAD.encode("bob"),
            1,
        );
        assert_eq!(keys.open(&other_name, NOW), None, "another name");
        let younger = sealed.replacen(&NOW.to_string(), &(NOW + DAY).to_string(), 1);
        assert_eq!(keys.open(&younger, NOW + DAY), None, "another issue time");
        assert_eq!(keys.open("v2.x.y.1", NOW), None);
        assert_eq!(keys.open("", NOW), None);
    }

    #[test]
    fn a_session_expires_when_unused_and_is_renewed_when_used() {
        let keys = sessions(&[b"k"]);
        let sealed = keys.seal(&session("ann"), NOW);
        let fresh = keys.open(&sealed, NOW + 60).expect("valid");
        assert!(!fresh.renew, "not renewed on every request");
        let day_old = keys.open(&sealed, NOW + 2 * DAY).expect("valid");
        assert!(day_old.renew, "renewed once a day when used");
        assert!(keys.open(&sealed, NOW + 89 * DAY).is_some());
        assert_eq!(keys.open(&sealed, NOW + 91 * DAY), None, "expired unused");
        assert_eq!(keys.open(&sealed, NOW - DAY), None, "issued in the future");
    }

    #[test]
    fn rotation_accepts_the_old_key_and_renews_under_the_new_one() {
        let old = sessions(&[b"old key"]).seal(&session("ann"), NOW);
        let rotated = sessions(&[b"new key", b"old key"]);
        let opened = rotated.open(&old, NOW).expect("still valid");
        assert!(opened.renew, "re-signed with the newest key");
        let opened = guest(Some(opened)).expect("a guest");
        assert_eq!(opened, session("ann"));
        let renewed = rotated.seal(&opened, NOW);
        assert!(sessions(&[b"new key"]).open(&renewed, NOW).is_some());
        assert_eq!(sessions(&[b"old key"]).open(&renewed, NOW), None);
    }

    #[test]
    fn an_accounts_cookie_carries_its_session_id_signed() {
        let keys = sessions(&[b"k"]);
        let id = "0123456789abcdef0123456789abcdef";
        let mut signed_in = session("ann");
        signed_in.signed_in = Some(super::super::SignedIn {
            session_id: id.into(),
            role: crate::domain::Role::Member,
        });
        let sealed = keys.seal(&signed_in, NOW);
        assert!(sealed.starts_with(&format!("v3.{id}.")), "{sealed}");
        let opened = keys.open(&sealed, NOW).expect("valid");
        assert_eq!(opened.identity, Identity::Account(id.into()));
        let other = sealed.replacen(id, "fedcba9876543210fedcba9876543210", 1);
        assert_eq!(keys.open(&other, NOW), None, "another session id");
        assert_eq!(sessions(&[b"other"]).open(&sealed, NOW), None);
        assert_eq!(keys.open(&sealed, NOW + 91 * DAY), None, "expired unused");
    }

    #[test]
    fn keys_never_print() {
        let printed = format!("{:?}", sessions(&[b"secret key"]));
        assert!(printed.contains("keys: 1"), "{printed}");
        assert!(!printed.contains("secret"), "{printed}");
    }

    #[test]
    fn over_https_the_cookie_is_host_only_and_secure() {
        let settings = SessionSettings {
            secure_cookies: true,
            ..SessionSettings::default()
        };
        let keys = Sessions::new(vec![b"k".to_vec()], &settings);
        let cookie = keys.cookie(&session("ann")).expect("header");
        let cookie = cookie.to_str().expect("ascii");
        assert!(cookie.starts_with("__Host-chat_session=v2."), "{cookie}");
        assert!(cookie.ends_with("; Secure"), "{cookie}");
        assert!(cookie.contains("; Path=/;") && !cookie.contains("Domain"));

        let mut headers = HeaderMap::new();
        let plain = format!(
            "{SESSION_COOKIE}={}",
            keys.seal(&session("eve"), unix_now())
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&plain).expect("ascii"),
        );
        assert_eq!(
            keys.from_headers(&headers),
            None,
            "the plain name is not read"
        );
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let keys = sessions(&[b"k"]);
        let mut headers = HeaderMap::new();
        let value = format!(
            "a=1; {SESSION_COOKIE}={}; b=2",
            keys.seal(&session("ann"), unix_now())
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&value).expect("ascii"),
        );
        assert_eq!(guest(keys.from_headers(&headers)), Some(session("ann")));
    }
}
