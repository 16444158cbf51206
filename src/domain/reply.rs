//! A reply's view of the message it answers: who wrote it and its first line, as that
//! message is now (an edit or a delete of the original shows in every reply).

use super::{ChatMessage, UserId};
use serde::{Deserialize, Serialize};

/// The longest excerpt of the original a reply carries, in characters.
pub const EXCERPT_CHARS: usize = 120;

/// The message a reply answers, as a reply shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Quote {
    pub author_id: UserId,
    pub author: String,
    /// The original's first line, cut at [`EXCERPT_CHARS`] (empty once it is deleted).
    pub excerpt: String,
    /// Left out of the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
    /// Left out of the JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl Quote {
    /// How `original` shows in a reply to it.
    pub fn of(original: &ChatMessage) -> Self {
        Self::new(
            original.author_id.clone(),
            original.author.clone(),
            &original.body,
            original.edited_at.is_some(),
            original.deleted,
        )
    }

    /// The quote of a message by `author` that reads `body` (as a store row holds it).
    pub fn new(author_id: UserId, author: String, body: &str, edited: bool, deleted: bool) -> Self {
        Quote {
            author_id,
            author,
            excerpt: if deleted {
                String::new()
            } else {
                excerpt(body)
            },
            edited,
            deleted,
        }
    }

    /// The original now reads `body`.
    pub fn edited(&mut self, body: &str) {
        self.excerpt = excerpt(body);
        self.edited = true;
    }

    /// The original is gone: its words go too.
    pub fn deleted(&mut self) {
        self.excerpt.clear();
        self.deleted = true;
    }
}

/// The first line of `body`'s text (without its formatting's markers) that has text, cut at
/// [`EXCERPT_CHARS`] characters with "…".
pub fn excerpt(body: &str) -> String {
    let text = super::markup::plain_text(&super::markup::parse(body));
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default();
    match line.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excerpt_is_the_first_line_with_text_cut_on_a_character() {
        assert_eq!(excerpt("\n  hello there  \nsecond line"), "hello there");
        assert_eq!(
            excerpt("**bold** and `code`"),
            "bold and code",
            "no markers"
        );
        assert_eq!(excerpt("> quoted\nreply"), "quoted");
        let long = "é".repeat(EXCERPT_CHARS + 5);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(&"x".repeat(EXCERPT_CHARS)).len(), EXCERPT_CHARS);
        assert_eq!(excerpt(""), "");
    }

    #[test]
    fn a_quote_follows_the_original_through_edit_and_delete() {
        let mut original = ChatMessage::sample(4);
        original.body = "first\nsecond".into();
        let mut quote = Quote::of(&original);
        assert_eq!((quote.excerpt.as_str(), quote.edited), ("first", false));
        quote.edited("better words");
        assert_eq!(
            (quote.excerpt.as_str(), quote.edited),
            ("better words", true)
        );
        quote.deleted();
        assert!(quote.deleted && quote.excerpt.is_empty());
    }
}
