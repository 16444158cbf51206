use super::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A room's name as it appears in URLs: `[a-z0-9-]{1,32}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomName(String);

impl RoomName {
    pub const MAX_LEN: usize = 32;

    /// The room `/` leads to.
    pub fn lobby() -> Self {
        Self("lobby".to_owned())
    }

    /// What the names of direct-message rooms start with: no other room may bear one.
    pub const DIRECT_PREFIX: &'static str = "dm-";

    /// Whether this is the name of a direct-message room (two people's private room).
    pub fn is_direct(&self) -> bool {
        self.0.starts_with(Self::DIRECT_PREFIX)
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok_len = (1..=Self::MAX_LEN).contains(&raw.len());
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok_len && ok_chars {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::BadRoomName { max: Self::MAX_LEN })
        }
    }

    /// A name as a person types it in a "join" box: surrounding space trimmed, letters
    /// lowercased, inner spaces turned into `-` ("Rust Help" → `rust-help`).
    pub fn from_user_input(raw: &str) -> Result<Self, DomainError> {
        let slug: String = raw
            .trim()
            .chars()
            .map(|c| {
                if c.is_whitespace() {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        Self::parse(&slug)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RoomName {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RoomName> for String {
    fn from(value: RoomName) -> Self {
        value.0
    }
}

impl fmt::Display for RoomName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_letters_digits_and_dashes_are_accepted() {
        for name in ["lobby", "rust-2026", "a", &"x".repeat(32)] {
            assert_eq!(
                RoomName::parse(name).map(|r| r.to_string()),
                Ok(name.to_owned())
            );
        }
    }

    #[test]
    fn empty_long_uppercase_and_punctuated_names_are_refused() {
        for name in [
            "",
            &"x".repeat(33),
            "Lobby",
            "a b",
            "a/b",
            "café",
            "../etc",
            "a_b",
        ] {
            assert!(RoomName::parse(name).is_err(), "{name:?} was accepted");
        }
    }

    #[test]
    fn typed_names_are_made_into_room_names_when_they_can_be() {
        assert_eq!(
            RoomName::from_user_input(" Rust Help ").map(|r| r.to_string()),
            Ok("rust-help".into())
        );
        assert!(RoomName::from_user_input("ünïcode").is_err());
        assert!(RoomName::from_user_input("   ").is_err());
    }

    #[test]
    fn deserializing_checks_the_same_rules() {
        assert!(serde_json::from_str::<RoomName>("\"UPPER\"").is_err());
        assert!(serde_json::from_str::<RoomName>("\"lower\"").is_ok());
    }
}
