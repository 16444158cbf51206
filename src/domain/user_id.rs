super::hex_id::hex_id!(
    /// A person's anonymous identity: 32 hex digits from 128 random bits, kept in a signed
    /// session cookie. Not a secret on its own: only a cookie the server signed proves it.
    UserId,
    "a user id"
);

#[cfg(test)]
impl UserId {
    pub(crate) fn sample() -> Self {
        Self::from_random(0xa11ce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_lowercase_hex_digits() {
        let id = UserId::from_random(u128::MAX);
        assert_eq!(UserId::parse(id.as_str()), Some(id));
        assert_eq!(UserId::parse(&"F".repeat(32)), None);
        assert_eq!(UserId::parse("abc"), None);
    }
}
