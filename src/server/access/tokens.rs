//! The secrets of device links, API tokens and webhooks: made here, shown once as
//! `{id}.{secret}`, kept by the store as the id and the SHA-256 of the secret
//! (`store::Tokens`), and checked here in constant time.
//!
//! A secret is 32 random bytes, so a plain hash is as good as a slow one: there is nothing
//! to guess.

use crate::domain::{RoomName, UserId};
use crate::server::store::{StoredToken, TokenKind};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A token just made: what the store keeps, and what its person sees once.
pub struct Issued {
    pub stored: StoredToken,
    /// `{id}.{secret}`.
    pub token: String,
}

/// What a new token is for.
pub struct TokenRequest {
    pub kind: TokenKind,
    pub user_id: UserId,
    pub room: Option<RoomName>,
    pub name: String,
    pub now: i64,
    /// How long it lasts, in milliseconds (`None`: until revoked).
    pub lasts: Option<i64>,
}

/// Makes a token.
pub fn issue(request: TokenRequest) -> Issued {
    let id = format!("{:032x}", rand::random::<u128>());
    let secret =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let stored = StoredToken {
        secret_hash: digest(&secret),
        kind: request.kind,
        user_id: request.user_id,
        room: request.room,
        name: request.name,
        created_at: request.now,
        last_used: None,
        expires_at: request.lasts.map(|lasts| request.now.saturating_add(lasts)),
        id: id.clone(),
    };
    Issued {
        stored,
        token: format!("{id}.{secret}"),
    }
}

/// The id and secret of a presented token, if it has the shape of one.
pub fn split(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.split_once('.')?;
    let id_shape = id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    let secret_shape = secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (id_shape && secret_shape).then_some((id, secret))
}

/// Whether `secret` is the one `stored` was made with, and `stored` is of `kind` and still
/// good at `now`. The hashes are compared in constant time.
pub fn opens(stored: &StoredToken, kind: TokenKind, secret: &str, now: i64) -> bool {
    let same: bool = digest(secret)
        .as_bytes()
        .ct_eq(stored.secret_hash.as_bytes())
        .into();
    same && stored.kind == kind && stored.is_live(now)
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: TokenKind, lasts: Option<i64>) -> TokenRequest {
        TokenRequest {
            kind,
            user_id: UserId::sample(),
            room: None,
            name: "laptop script".into(),
            now: 1_000,
            lasts,
        }
    }

    #[test]
    fn a_token_opens_with_its_own_secret_only() {
        let issued = issue(request(TokenKind::ApiToken, None));
        let (id, secret) = split(&issued.token).expect("shape");
        assert_eq!(id, issued.stored.id);
        assert!(opens(&issued.stored, TokenKind::ApiToken, secret, 5_000));
        let other = issue(request(TokenKind::ApiToken, None));
        let (_, other_secret) = split(&other.token).expect("shape");
        assert!(!opens(
            &issued.stored,
            TokenKind::ApiToken,
            other_secret,
            5_000
        ));
        assert!(
            !opens(&issued.stored, TokenKind::Webhook, secret, 5_000),
            "a token of another kind"
        );
        assert!(
            !issued.stored.secret_hash.contains(secret),
            "never the secret"
        );
    }

    #[test]
    fn a_short_lived_token_stops_opening() {
        let issued = issue(request(TokenKind::DeviceLink, Some(600_000)));
        let (_, secret) = split(&issued.token).expect("shape");
        assert!(opens(
            &issued.stored,
            TokenKind::DeviceLink,
            secret,
            600_999
        ));
        assert!(!opens(
            &issued.stored,
            TokenKind::DeviceLink,
            secret,
            601_000
        ));
    }

    #[test]
    fn what_is_not_shaped_like_a_token_is_refused() {
        assert_eq!(split("garbage"), None);
        assert_eq!(split(""), None);
        let issued = issue(request(TokenKind::Webhook, None));
        assert!(split(&issued.token.to_uppercase()).is_none());
        assert!(split(&format!("{}x", issued.token)).is_none());
    }
}
