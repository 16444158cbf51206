use super::domain_error::is_invisible;

/// The length in bytes of the web address `tail` starts with, if it starts with one
/// (`http://` or `https://`, case ignored, and something after it).
pub fn address_len(tail: &str) -> Option<usize> {
    let scheme_len = if starts_with_ignoring_case(tail, "https://") {
        8
    } else if starts_with_ignoring_case(tail, "http://") {
        7
    } else {
        return None;
    };
    let end = tail
        // A link also ends at an invisible or text-direction character, so a bidi
        // override can never become part of (and reverse the look of) an address.
        .find(|c: char| c.is_whitespace() || is_invisible(c) || matches!(c, '<' | '>' | '"'))
        .unwrap_or(tail.len());
    // Punctuation that usually ends a sentence, or closes formatting, stays text.
    let url = tail[..end].trim_end_matches([
        '.', ',', ';', ':', '!', '?', ')', ']', '\'', '*', '_', '~', '`',
    ]);
    (url.len() > scheme_len).then_some(url.len())
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Option<&str> {
        address_len(text).map(|len| &text[..len])
    }

    #[test]
    fn an_address_runs_to_a_space_and_leaves_closing_punctuation() {
        assert_eq!(
            address("https://example.com/a?b=1 and"),
            Some("https://example.com/a?b=1")
        );
        assert_eq!(address("http://x.org."), Some("http://x.org"));
        assert_eq!(address("https://a.b/c) x"), Some("https://a.b/c"));
        assert_eq!(address("https://d.e>"), Some("https://d.e"));
        assert_eq!(address("https://d.e**"), Some("https://d.e"));
    }

    #[test]
    fn only_http_and_https_are_addresses() {
        for text in [
            "javascript:alert(1)",
            "data:text/html,<b>x",
            "ftp://host/file",
            "https://",
            "see https://x.org",
        ] {
            assert_eq!(address(text), None, "{text}");
        }
    }

    #[test]
    fn an_address_ends_at_a_direction_control_or_an_invisible_character() {
        assert_eq!(
            address("https://good.example\u{202E}lmth.exe"),
            Some("https://good.example")
        );
        assert_eq!(
            address("https://a.example\u{200B}b"),
            Some("https://a.example")
        );
    }

    #[test]
    fn the_scheme_may_be_in_capitals() {
        assert_eq!(address("HTTPS://A.B"), Some("HTTPS://A.B"));
    }
}
