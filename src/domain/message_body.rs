use super::domain_error::REPLACEMENT_CHARACTER;
use super::DomainError;

/// The text of a message: 1 to 4,000 characters once surrounding whitespace is trimmed, line
/// breaks and tabs allowed, other control characters refused. Line endings are stored as `\n`
/// (browsers submit a textarea's line breaks as `\r\n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX_CHARS: usize = 4_000;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let body = Self::parse_beside_attachments(raw)?;
        if body.0.is_empty() {
            return Err(DomainError::EmptyMessage);
        }
        Ok(body)
    }

    /// The text of a message that carries files: it may be empty.
    pub fn parse_beside_attachments(raw: &str) -> Result<Self, DomainError> {
        let normalized = raw.replace("\r\n", "\n").replace('\r', "\n");
        let text = normalized.trim();
        if text.contains(REPLACEMENT_CHARACTER) {
            return Err(DomainError::InvalidUtf8);
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(DomainError::ControlCharacter);
        }
        let len = text.chars().count();
        if len > Self::MAX_CHARS {
            return Err(DomainError::MessageTooLong {
                len,
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_kept_trimmed() {
        assert_eq!(
            MessageBody::parse("  hello  ").map(MessageBody::into_inner),
            Ok("hello".into())
        );
    }

    #[test]
    fn line_breaks_and_tabs_are_kept_and_crlf_becomes_lf() {
        let body = MessageBody::parse("one\r\ntwo\n\tthree\rfour").map(MessageBody::into_inner);
        assert_eq!(body, Ok("one\ntwo\n\tthree\nfour".into()));
    }

    #[test]
    fn empty_and_whitespace_only_bodies_are_refused() {
        for raw in ["", "   ", "\n\t\r\n"] {
            assert_eq!(
                MessageBody::parse(raw),
                Err(DomainError::EmptyMessage),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert!(MessageBody::parse(&"é".repeat(MessageBody::MAX_CHARS)).is_ok());
        assert_eq!(
            MessageBody::parse(&"a".repeat(MessageBody::MAX_CHARS + 1)),
            Err(DomainError::MessageTooLong {
                len: 4_001,
                max: 4_000
            })
        );
    }

    #[test]
    fn control_characters_other_than_newline_and_tab_are_refused() {
        for raw in [
            "a\0b",
            "bell\u{7}",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}x",
        ] {
            assert_eq!(
                MessageBody::parse(raw),
                Err(DomainError::ControlCharacter),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn text_left_broken_by_a_lossy_utf8_decoder_is_refused() {
        assert_eq!(
            MessageBody::parse("bad \u{FFFD} bytes"),
            Err(DomainError::InvalidUtf8)
        );
    }

    #[test]
    fn markup_is_just_text() {
        let raw = "<script>alert(1)</script>";
        assert_eq!(
            MessageBody::parse(raw).map(MessageBody::into_inner),
            Ok(raw.into())
        );
    }
}
