//! Accounts: the name a person signs in with, their password, and their role. A guest is a
//! person without an account (a signed cookie of its own); signing up turns the guest into
//! an account with the same user id, so everything it had stays theirs.
//!
//! Names are unique ignoring case and compatibility forms; the server compares their folded
//! key (`server/access/accounts/names.rs`), which needs Unicode tables the browser does not
//! carry.

use super::{DomainError, Nickname};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The name of an account: a display name that does not pass for a guest's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(Nickname);

impl AccountName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = Nickname::parse(raw)?;
        if name.as_str().to_lowercase().starts_with("guest-") {
            return Err(DomainError::GuestName);
        }
        Ok(Self(name))
    }

    pub fn as_nickname(&self) -> &Nickname {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// A password as typed: 8 to 256 characters. It never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Long enough for any passphrase, short enough that hashing it costs nothing extra.
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(DomainError::PasswordTooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS {
            return Err(DomainError::PasswordTooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What an account may do beyond writing: an administrator moderates everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            _ => Err(DomainError::BadRole),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_display_names_that_do_not_pass_for_guests() {
        assert_eq!(
            AccountName::parse("  Zoë ").map(|n| n.to_string()),
            Ok("Zoë".into())
        );
        for guest in ["guest-1234", "Guest-7", "GUEST-x"] {
            assert_eq!(
                AccountName::parse(guest),
                Err(DomainError::GuestName),
                "{guest}"
            );
        }
        assert_eq!(
            AccountName::parse("guesthouse").map(|n| n.to_string()),
            Ok("guesthouse".into())
        );
        assert_eq!(AccountName::parse(""), Err(DomainError::EmptyName));
        assert!(AccountName::parse("\u{202E}nimda").is_err());
    }

    #[test]
    fn passwords_are_eight_to_256_characters_and_never_print() {
        assert_eq!(
            Password::parse("short"),
            Err(DomainError::PasswordTooShort { min: 8 })
        );
        assert!(
            Password::parse("ünïcödé").is_err(),
            "7 characters, more bytes"
        );
        assert!(Password::parse("eight ch").is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        let printed = format!("{:?}", Password::parse("hunter22 secret").expect("ok"));
        assert!(!printed.contains("hunter"), "{printed}");
    }

    #[test]
    fn roles_read_and_write_as_their_names() {
        for role in [Role::Admin, Role::Member] {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(Role::parse("root"), Err(DomainError::BadRole));
        assert_eq!(
            serde_json::to_string(&Role::Admin).expect("json"),
            "\"admin\""
        );
    }
}
