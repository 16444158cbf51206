use super::domain_error::{is_direction_control, is_invisible, REPLACEMENT_CHARACTER};
use super::DomainError;
use std::fmt;

/// A display name: 1 to 32 characters on one line, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(DomainError::EmptyName);
        }
        if name.contains(REPLACEMENT_CHARACTER) {
            return Err(DomainError::InvalidUtf8);
        }
        if name.chars().any(char::is_control) {
            return Err(DomainError::NameControlCharacter);
        }
        if name.chars().any(is_direction_control) {
            return Err(DomainError::NameDirectionControl);
        }
        if name.chars().all(is_invisible) {
            return Err(DomainError::NameInvisible);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(DomainError::NameTooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(name.to_owned()))
    }

    /// A name for someone who has not chosen one, like `guest-4821`, from a number the caller
    /// draws at random.
    pub fn guest(number: u16) -> Self {
        Self(format!("guest-{:04}", number % 10_000))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nickname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_reverse_text_or_show_nothing_are_refused() {
        for spoof in ["\u{202E}nimda", "Ann\u{2066}", "a\u{200F}b"] {
            assert_eq!(
                Nickname::parse(spoof),
                Err(DomainError::NameDirectionControl),
                "{spoof:?}"
            );
        }
        for blank in [
            "\u{200B}",
            "\u{200B}\u{200C}\u{FEFF}",
            "\u{3164}",
            "\u{2800} \u{00AD}",
        ] {
            assert_eq!(
                Nickname::parse(blank),
                Err(DomainError::NameInvisible),
                "{blank:?}"
            );
        }
        assert!(
            Nickname::parse("Zoë\u{200D}🦀").is_ok(),
            "a joiner inside a visible name is fine"
        );
        assert!(
            Nickname::parse("مريم").is_ok(),
            "right-to-left scripts are fine"
        );
    }

    #[test]
    fn names_are_trimmed_and_may_use_any_script() {
        assert_eq!(
            Nickname::parse("  Zoë 🦀 ").map(|n| n.to_string()),
            Ok("Zoë 🦀".into())
        );
    }

    #[test]
    fn empty_names_are_refused() {
        assert_eq!(Nickname::parse(" \t "), Err(DomainError::EmptyName));
    }

    #[test]
    fn names_longer_than_the_limit_are_refused() {
        assert!(Nickname::parse(&"n".repeat(32)).is_ok());
        assert_eq!(
            Nickname::parse(&"n".repeat(33)),
            Err(DomainError::NameTooLong { max: 32 })
        );
    }

    #[test]
    fn names_stay_on_one_line() {
        assert_eq!(
            Nickname::parse("two\nlines"),
            Err(DomainError::NameControlCharacter)
        );
    }

    #[test]
    fn guest_names_have_four_digits() {
        assert_eq!(Nickname::guest(7).as_str(), "guest-0007");
        assert_eq!(Nickname::guest(65_535).as_str(), "guest-5535");
    }
}
