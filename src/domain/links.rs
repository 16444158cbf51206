use super::domain_error::is_invisible;

/// A piece of a message body, for rendering: plain text, or a web address to link to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits a body into text and `http://` / `https://` addresses. Only those two schemes
/// become links (never `javascript:` or `data:`); punctuation that usually ends a sentence
/// (`.`, `,`, `)`, …) stays text.
pub fn linkify(body: &str) -> Vec<Segment<'_>> {
    let lower = body.to_ascii_lowercase();
    let mut segments = Vec::new();
    let mut text_start = 0;
    let mut pos = 0;
    while let Some(found) = find_scheme(&lower[pos..]) {
        let start = pos + found;
        let scheme_len = if lower[start..].starts_with("https://") {
            8
        } else {
            7
        };
        let tail = &body[start..];
        let end = tail
            // A link also ends at an invisible or text-direction character, so a bidi
            // override can never become part of (and reverse the look of) an address.
            .find(|c: char| is_invisible(c) || matches!(c, '<' | '>' | '"'))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'']);
        if url.len() <= scheme_len {
            // A bare "https://" is not a link.
            pos = start + scheme_len;
            continue;
        }
        if start > text_start {
            segments.push(Segment::Text(&body[text_start..start]));
        }
        segments.push(Segment::Link(url));
        text_start = start + url.len();
        pos = text_start;
    }
    if text_start < body.len() {
        segments.push(Segment::Text(&body[text_start..]));
    }
    segments
}

fn find_scheme(lower: &str) -> Option<usize> {
    match (lower.find("http://"), lower.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::{Link, Text};

    #[test]
    fn addresses_become_links_and_the_rest_stays_text() {
        assert_eq!(
            linkify("see https://example.com/a?b=1 and http://x.org."),
            vec![
                Text("see "),
                Link("https://example.com/a?b=1"),
                Text(" and "),
                Link("http://x.org"),
                Text("."),
            ]
        );
    }

    #[test]
    fn only_http_and_https_are_linked() {
        for body in [
            "javascript:alert(1)",
            "data:text/html,<b>x",
            "ftp://host/file",
            "https://",
        ] {
            assert_eq!(linkify(body), vec![Text(body)], "{body}");
        }
    }

    #[test]
    fn a_link_ends_at_a_direction_control_or_an_invisible_character() {
        let segments =
            linkify("see https://good.example\u{202E}lmth.exe and https://a.example\u{200B}b");
        let links: Vec<_> = segments
            .iter()
            .filter_map(|s| match s {
                Segment::Link(url) => Some(*url),
                Segment::Text(_) => None,
            })
            .collect();
        assert_eq!(links, ["https://good.example", "https://a.example"]);
    }

    #[test]
    fn a_link_ends_at_markup_and_closing_punctuation() {
        assert_eq!(
            linkify("(https://a.b/c) <https://d.e>"),
            vec![
                Text("("),
                Link("https://a.b/c"),
                Text(") <"),
                Link("https://d.e"),
                Text(">")
            ]
        );
    }

    #[test]
    fn text_without_addresses_is_one_piece_and_scheme_case_is_ignored() {
        assert_eq!(linkify("plain"), vec![Text("plain")]);
        assert_eq!(linkify("HTTPS://A.B"), vec![Link("HTTPS://A.B")]);
        assert_eq!(linkify(""), Vec::<Segment>::new());
    }
}
