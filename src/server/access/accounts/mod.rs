//! Accounts' rules on the server: a name's folded key (`names.rs`), passwords hashed with
//! argon2id off the async workers (`passwords.rs`), and the brake on guessing passwords
//! (`sign_in_guard.rs`). The store keeps accounts and sessions (`store::Accounts`); the
//! server functions are `api/accounts.rs`.

mod names;
mod passwords;
mod sign_in_guard;
mod signing_in;

pub use names::name_key;
pub use passwords::{hash_password, verify_password, ARGON2_PARAMS};
pub use sign_in_guard::{SignInGuard, MAX_FAILURES, WINDOW};
pub use signing_in::{open_session, Opened, SigningIn, MAX_SESSIONS};

/// A new session id: 32 random lowercase hex digits.
pub fn new_session_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}
