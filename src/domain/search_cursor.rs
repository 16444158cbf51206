//! Where a page of search results continues, as an opaque text.

use super::{DomainError, RoomName, Seq};

/// Where the next page of results starts: below this message, one the person may read (the
/// last one shown, or the last one the search looked at). It names nothing else: no counter
/// of the whole store, nothing of a room the person may not read. Its text is opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCursor {
    pub room: RoomName,
    pub seq: Seq,
}

impl SearchCursor {
    /// The cursor's text (hexadecimal, so nobody is tempted to read it).
    pub fn encode(&self) -> String {
        format!("{}.{}", self.room, self.seq.get())
            .bytes()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// The cursor `raw` encodes.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::BadSearchCursor;
        if !raw.len().is_multiple_of(2) || raw.len() > 256 {
            return Err(bad());
        }
        let bytes = (0..raw.len())
            .step_by(2)
            .map(|i| {
                raw.get(i..i + 2)
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(bad)?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let (room, seq) = text.rsplit_once('.').ok_or_else(bad)?;
        Ok(Self {
            room: RoomName::parse(room).map_err(|_| bad())?,
            seq: Seq(seq.parse().map_err(|_| bad())?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_written_and_nothing_else_parses() {
        let cursor = SearchCursor {
            room: RoomName::parse("rust-help").expect("room"),
            seq: Seq(42),
        };
        let text = cursor.encode();
        assert!(text.bytes().all(|b| b.is_ascii_hexdigit()), "{text}");
        assert_eq!(SearchCursor::parse(&text), Ok(cursor));
        for bad in ["", "1", "zz", "123", &"ab".repeat(200), "2e31"] {
            assert!(SearchCursor::parse(bad).is_err(), "{bad}");
        }
    }
}
