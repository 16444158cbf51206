//! HMAC-SHA256 signatures under the session keys: made with the newest key, accepted under
//! any configured one (so a rotation keeps what was signed before it working until the old
//! key is dropped). Each use signs its own prefixed payloads, so a tag made for one purpose
//! (a cookie, an invite) never passes for another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;

/// Signs and checks. Its `Debug` never shows a key.
#[derive(Clone)]
pub struct Signer {
    /// One HMAC per key, newest first, never empty; each already holds its key, so a
    /// signature starts from a copy instead of hashing the key again.
    keyed: Arc<[Hmac<Sha256>]>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("keys", &self.keyed.len())
            .finish()
    }
}

impl Signer {
    /// `keys` newest first, at least one.
    pub(crate) fn new(keys: Arc<[Vec<u8>]>) -> Self {
        let keyed = keys
            .iter()
            .map(|key| {
                // HMAC takes keys of any length; this cannot fail.
                <Hmac<Sha256> as Mac>::new_from_slice(key)
                    .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
            })
            .collect();
        Self { keyed }
    }

    /// The base64url tag of `payload` under the newest key.
    pub fn sign(&self, payload: &str) -> String {
        URL_SAFE_NO_PAD.encode(mac(&self.keyed[0], payload).finalize().into_bytes())
    }

    /// Which key (0 the newest) signed `payload` with `tag`, if any did.
    pub fn verify(&self, payload: &str, tag: &str) -> Option<usize> {
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.keyed
            .iter()
            .position(|key| mac(key, payload).verify_slice(&tag).is_ok())
    }
}

fn mac(keyed: &Hmac<Sha256>, payload: &str) -> Hmac<Sha256> {
    let mut mac = keyed.clone();
    mac.update(payload.as_bytes());
    mac
}
