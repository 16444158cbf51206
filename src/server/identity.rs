//! Who is sending: the display name the browser remembers in a cookie, or a guest name.

use crate::domain::{ClientId, Nickname};
use axum::http::{header, HeaderMap, HeaderValue};
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};

/// The cookie holding the display name last used from this browser.
pub const NAME_COOKIE: &str = "chat_name";

/// One year: the name is a preference, not a credential.
const NAME_COOKIE_MAX_AGE: u32 = 365 * 24 * 60 * 60;

/// The display name remembered in the request's cookies, if it still passes the rules.
pub fn remembered_name(headers: &HeaderMap) -> Option<Nickname> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME_COOKIE)
        .and_then(|(_, value)| percent_decode_str(value).decode_utf8().ok())
        .and_then(|name| Nickname::parse(&name).ok())
}

/// The `Set-Cookie` value that makes the browser remember `name`.
pub fn remember_name(name: &Nickname) -> Option<HeaderValue> {
    let encoded = utf8_percent_encode(name.as_str(), NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "{NAME_COOKIE}={encoded}; Path=/; Max-Age={NAME_COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly"
    ))
    .ok()
}

/// A fresh guest name, like `guest-4821`.
pub fn guest_name() -> Nickname {
    Nickname::guest(rand::random())
}

/// A fresh idempotency key for a composer rendered by the server.
pub fn fresh_client_id() -> ClientId {
    ClientId::from_random(rand::random())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_name_survives_the_cookie_round_trip() {
        let name = Nickname::parse("Zoë; the =admin").expect("valid name");
        let set_cookie = remember_name(&name).expect("encodable");
        let pair = set_cookie
            .to_str()
            .ok()
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).expect("ascii"),
        );
        assert_eq!(remembered_name(&headers), Some(name));
    }

    #[test]
    fn a_tampered_cookie_is_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("chat_name=ev%07il"),
        );
        assert_eq!(remembered_name(&headers), None);
    }
}
