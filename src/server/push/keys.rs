//! The VAPID key pair (RFC 8292) the chat signs its pushes with: a P-256 key whose public
//! half browsers are given when they subscribe (`GET /api/push/key`), so a push service
//! takes pushes for them from this chat only. Its private half is 32 bytes, kept in a file
//! of its own made on first start (as the session keys are), or given in the environment
//! (nodes sharing Redis must share it).

use super::settings::PushSettings;
use crate::server::access::session::key_file::{self, KeyFileError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::path::Path;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};

/// Why there is no key pair.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    File(#[from] KeyFileError),
    #[error("CHAT_VAPID_PRIVATE_KEY must be a P-256 private key: 32 bytes in base64url")]
    Invalid,
}

pub struct VapidKeys {
    pub pair: ES256KeyPair,
    /// The public key as browsers take it: uncompressed, base64url without padding.
    pub public: String,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl VapidKeys {
    /// The key in the environment, else the one in the key file (made if missing).
    pub fn load(settings: &PushSettings, file: &Path) -> Result<Self, KeyError> {
        let private = match &settings.private_key {
            Some(key) => URL_SAFE_NO_PAD
                .decode(key.expose().trim().trim_end_matches('='))
                .map_err(|_| KeyError::Invalid)?,
            None => key_file::load_or_create(file)?
                .into_iter()
                .next()
                .ok_or(KeyError::Invalid)?,
        };
        Self::from_private(&private)
    }

    fn from_private(private: &[u8]) -> Result<Self, KeyError> {
        let pair = ES256KeyPair::from_bytes(private).map_err(|_| KeyError::Invalid)?;
        let public = URL_SAFE_NO_PAD.encode(pair.public_key().public_key().to_bytes_uncompressed());
        Ok(Self { pair, public })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::settings::Secret;

    #[test]
    fn a_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("vapid.key");
        let made = VapidKeys::load(&PushSettings::default(), &file).expect("made");
        let again = VapidKeys::load(&PushSettings::default(), &file).expect("read");
        assert_eq!(made.public, again.public);
        let public = URL_SAFE_NO_PAD.decode(&made.public).expect("base64url");
        assert_eq!((public.len(), public[0]), (65, 4), "uncompressed P-256");
    }

    #[test]
    fn a_key_from_the_environment_wins_and_a_bad_one_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("vapid.key");
        let private = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let settings = PushSettings {
            private_key: Some(Secret::new(private)),
            ..PushSettings::default()
        };
        let given = VapidKeys::load(&settings, &file).expect("given");
        assert!(!file.exists(), "no file is made");
        assert_eq!(
            given.public,
            VapidKeys::from_private(&[7u8; 32]).expect("same").public
        );
        let bad = PushSettings {
            private_key: Some(Secret::new("not a key".into())),
            ..PushSettings::default()
        };
        assert!(VapidKeys::load(&bad, &file).is_err());
    }
}
