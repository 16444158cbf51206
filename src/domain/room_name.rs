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
    fn deserializing_checks_the_same_rules() {
        assert!(serde_json::from_str::<RoomName>("\"UPPER\"").is_err());
        assert!(serde_json::from_str::<RoomName>("\"lower\"").is_ok());
    }
}
