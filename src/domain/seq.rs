use serde::{Deserialize, Serialize};
use std::fmt;

/// A room-scoped, strictly increasing event number, assigned by the store in the same atomic
/// step as the durable write. It is the SSE `id:` and the resume cursor. `Seq(0)` means
/// "before the first event".
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl Seq {
    pub const ZERO: Seq = Seq(0);

    pub fn get(self) -> u64 {
        self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    /// The seq that directly follows this one.
    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }

    /// Reads a cursor as sent in `Last-Event-ID` or `?after=`: a plain decimal number.
    pub fn parse_cursor(raw: &str) -> Option<Seq> {
        let raw = raw.trim();
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        raw.parse().ok().map(Seq)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_plain_decimal_numbers() {
        assert_eq!(Seq::parse_cursor("42"), Some(Seq(42)));
        assert_eq!(Seq::parse_cursor(" 7 "), Some(Seq(7)));
        assert_eq!(Seq::parse_cursor("0"), Some(Seq::ZERO));
    }

    #[test]
    fn anything_else_is_not_a_cursor() {
        for raw in ["", "-1", "+3", "1e3", "abc", "99999999999999999999999"] {
            assert_eq!(Seq::parse_cursor(raw), None, "{raw:?}");
        }
    }
}
