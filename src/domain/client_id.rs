use super::DomainError;

/// The sender's idempotency key: sending twice with the same key (a retry after a timeout,
/// a double click, a re-posted form) stores one message. 1 to 64 characters of
/// `[A-Za-z0-9_-]`, so a UUID or a random hex string fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    pub const MAX_LEN: usize = 64;

    /// An absent or empty key means "no key".
    pub fn parse_optional(raw: Option<&str>) -> Result<Option<Self>, DomainError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(key) => Self::parse(key).map(Some),
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok = raw.len() <= Self::MAX_LEN
            && !raw.is_empty()
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::BadClientId { max: Self::MAX_LEN })
        }
    }

    /// A fresh random key from 128 random bits, as 32 hex digits.
    pub fn from_random(bits: u128) -> Self {
        Self(format!("{bits:032x}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_and_hex_keys_are_accepted() {
        for key in [
            "3f2b8c1e-9a4d-4c6e-8f00-1234567890ab",
            "k_1",
            &"a".repeat(64),
        ] {
            assert!(ClientId::parse(key).is_ok(), "{key}");
        }
        assert_eq!(ClientId::from_random(255).as_str().len(), 32);
    }

    #[test]
    fn an_empty_key_is_no_key() {
        assert_eq!(ClientId::parse_optional(Some("  ")), Ok(None));
        assert_eq!(ClientId::parse_optional(None), Ok(None));
    }

    #[test]
    fn long_or_odd_keys_are_refused() {
        for key in [&"a".repeat(65), "has space", "semi;colon", "ü"] {
            assert!(ClientId::parse(key).is_err(), "{key}");
        }
    }
}
