//! Passwords are stored as argon2id hashes (PHC strings, each with its own salt), with the
//! parameters OWASP recommends first: 19 MiB of memory, 2 passes, 1 lane. Hashing takes
//! tens of milliseconds of one core by design, so it runs on a blocking thread, never on
//! the async workers, and only as many at once as the machine has cores: a flood of
//! sign-ins waits its turn for at most [`QUEUE_WAIT`], then is told the node is busy (503),
//! instead of filling memory with hashes.

use crate::domain::Password;
use crate::error::ChatError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Memory in KiB, passes, lanes.
pub const ARGON2_PARAMS: (u32, u32, u32) = (19_456, 2, 1);

/// How long a password's turn may be waited for.
pub const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A turn to hash or verify a password: one per core at a time.
async fn turn() -> Result<tokio::sync::SemaphorePermit<'static>, ChatError> {
    static TURNS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    let turns = TURNS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores)
    });
    match tokio::time::timeout(QUEUE_WAIT, turns.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ChatError::Overloaded { retry_after: 2 }),
    }
}

fn argon2() -> Option<Argon2<'static>> {
    let (memory, passes, lanes) = ARGON2_PARAMS;
    let params = Params::new(memory, passes, lanes, None).ok()?;
    Some(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of `password`'s hash, with a fresh salt.
pub async fn hash_password(password: Password) -> Result<String, ChatError> {
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).ok()?;
        let hash = argon2()?
            .hash_password(password.expose().as_bytes(), &salt)
            .ok()?;
        Some(hash.to_string())
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| {
        tracing::error!("could not hash a password");
        ChatError::Internal
    })
}

/// Whether `password` is the one `stored` (a PHC string) was made from. Without a stored
/// hash (no such account) it checks against a hash of nothing anyone knows, so an unknown
/// name takes as long to refuse as a wrong password.
pub async fn verify_password(
    password: Password,
    stored: Option<String>,
) -> Result<bool, ChatError> {
    let _turn = turn().await?;
    let known = stored.is_some();
    let matches = tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| decoy().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        argon2().is_some_and(|argon2| {
            argon2
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false);
    Ok(known && matches)
}

/// A hash of a random password, made once.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>());
        let random = format!("{:032x}", rand::random::<u128>());
        salt.ok()
            .and_then(|salt| {
                let hash = argon2()?.hash_password(random.as_bytes(), &salt).ok()?;
                Some(hash.to_string())
            })
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let password = Password::parse("correct horse").expect("password");
        let stored = hash_password(password.clone()).await.expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(!stored.contains("correct"));
        let verify = |password: &Password, stored: Option<String>| {
            let password = password.clone();
            async move { verify_password(password, stored).await.expect("a turn") }
        };
        assert!(verify(&password, Some(stored.clone())).await);
        let wrong = Password::parse("correct horse!").expect("password");
        assert!(!verify(&wrong, Some(stored.clone())).await);
        assert!(!verify(&password, None).await, "no account");
        assert!(!verify(&password, Some("garbage".into())).await);
        let again = hash_password(password).await.expect("hash");
        assert_ne!(again, stored, "each hash has its own salt");
    }
}
