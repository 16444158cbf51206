//! Search rules shared by both stores and the page: what a query is, which words of a
//! message it matches (each query word starts a word of the message, in any case), and
//! what gets highlighted. A word is a run of letters, digits and combining marks (Unicode
//! categories L, N, M, and private use), so Hindi's vowel signs stay inside their words;
//! case does not matter; accents do (`café` is not `cafe`), as in SQLite's `unicode61`
//! tokenizer without diacritic removal and with those categories (the index's).

use super::DomainError;
use serde::{Deserialize, Serialize};

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
/// The most words a query may have.
pub const MAX_QUERY_WORDS: usize = 8;
/// The shortest word a query may search for.
pub const MIN_WORD_CHARS: usize = 2;
/// Results per page.
pub const SEARCH_PAGE: u32 = 20;
/// The longest prefix the Redis index keeps of a word; longer query words are looked up
/// by this prefix and checked against the message.
pub const INDEXED_PREFIX_CHARS: usize = 10;

/// A parsed query: its words, lowercased, each once, in the order typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    words: Vec<String>,
}

impl SearchQuery {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(DomainError::SearchTooLong {
                max: MAX_QUERY_CHARS,
            });
        }
        let words: Vec<String> = words(raw)
            .into_iter()
            .filter(|word| word.chars().count() >= MIN_WORD_CHARS)
            .collect();
        if words.is_empty() {
            return Err(DomainError::SearchEmpty {
                min: MIN_WORD_CHARS,
            });
        }
        if words.len() > MAX_QUERY_WORDS {
            return Err(DomainError::SearchTooManyWords {
                max: MAX_QUERY_WORDS,
            });
        }
        Ok(Self { words })
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The query in SQLite FTS5 syntax: each word a quoted prefix, all required.
    pub fn fts5(&self) -> String {
        let quoted: Vec<String> = self
            .words
            .iter()
            .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
            .collect();
        quoted.join(" ")
    }

    /// Whether every query word starts a word of `body`.
    pub fn matches(&self, body: &str) -> bool {
        let found = words(body);
        self.words
            .iter()
            .all(|wanted| found.iter().any(|word| word.starts_with(wanted.as_str())))
    }

    /// The Redis index key word for each query word: the word, cut to the indexed prefix.
    pub fn index_terms(&self) -> Vec<String> {
        let mut terms: Vec<String> = self.words.iter().map(|word| cut(word)).collect();
        terms.dedup();
        terms
    }
}

/// Whether `c` belongs to a word (the index's tokenizer: categories L*, N*, M*, Co).
pub fn is_word_char(c: char) -> bool {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number | GeneralCategoryGroup::Mark
    ) || c.general_category() == GeneralCategory::PrivateUse
}

/// The distinct words of `text`, lowercased, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for word in text
        .split(|c: char| !is_word_char(c))
        .filter(|word| !word.is_empty())
    {
        let word = word.to_lowercase();
        if !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

/// What the Redis index files a message under: every prefix, from two characters up to
/// [`INDEXED_PREFIX_CHARS`], of each of its words, each once.
pub fn index_terms(body: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in words(body) {
        let chars: Vec<char> = word.chars().collect();
        for len in MIN_WORD_CHARS..=chars.len().min(INDEXED_PREFIX_CHARS) {
            let term: String = chars[..len].iter().collect();
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
    }
    terms
}

fn cut(word: &str) -> String {
    word.chars().take(INDEXED_PREFIX_CHARS).collect()
}

/// A piece of a found message's body: text, or a word the query matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<'a> {
    Text(&'a str),
    Hit(&'a str),
}

/// `body` cut into plain text and the words the query matched (whole words).
pub fn highlight<'a>(body: &'a str, query: &SearchQuery) -> Vec<Found<'a>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut word_start: Option<usize> = None;
    let close = |start: usize, end: usize, plain_from: &mut usize, out: &mut Vec<Found<'a>>| {
        let word = body[start..end].to_lowercase();
        if query
            .words
            .iter()
            .any(|wanted| word.starts_with(wanted.as_str()))
        {
            if *plain_from < start {
                out.push(Found::Text(&body[*plain_from..start]));
            }
            out.push(Found::Hit(&body[start..end]));
            *plain_from = end;
        }
    };
    for (index, c) in body.char_indices() {
        match (is_word_char(c), word_start) {
            (true, None) => word_start = Some(index),
            (false, Some(start)) => {
                close(start, index, &mut plain_from, &mut out);
                word_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = word_start {
        close(start, body.len(), &mut plain_from, &mut out);
    }
    if plain_from < body.len() {
        out.push(Found::Text(&body[plain_from..]));
    }
    out
}

/// A page of results, newest first; `older` continues below the last one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage<M> {
    pub results: Vec<M>,
    /// Whether there may be older results: then ask again with `before` = `older`.
    pub has_older: bool,
    /// An opaque cursor (a [`SearchCursor`](super::SearchCursor)'s text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combining_marks_stay_inside_their_words() {
        assert_eq!(words("हिंदी में बात"), ["हिंदी", "में", "बात"]);
        assert_eq!(words("हिन्दी"), ["हिन्दी"], "a virama too");
        assert_eq!(words("e\u{301}te\u{301}, ok"), ["e\u{301}te\u{301}", "ok"]);
        assert_eq!(words("a-b_c"), ["a", "b", "c"]);
    }

    fn query(raw: &str) -> SearchQuery {
        SearchQuery::parse(raw).expect("a query")
    }

    #[test]
    fn a_query_is_a_few_words_of_two_letters_or_more() {
        assert_eq!(
            query("  Deploy, the PLAN! a ").words(),
            ["deploy", "the", "plan"]
        );
        assert_eq!(query("plan plan").words(), ["plan"]);
        assert!(SearchQuery::parse("").is_err());
        assert!(
            SearchQuery::parse("a ! ?").is_err(),
            "no word of two letters"
        );
        assert!(SearchQuery::parse(&"x".repeat(MAX_QUERY_CHARS + 1)).is_err());
        assert!(SearchQuery::parse("aa bb cc dd ee ff gg hh ii").is_err());
    }

    #[test]
    fn every_query_word_must_start_a_word_of_the_message() {
        let q = query("deplo fri");
        assert!(q.matches("We deploy on Friday."));
        assert!(q.matches("FRIDAY: deployment"));
        assert!(!q.matches("We deploy on Monday."));
        assert!(
            !q.matches("redeploy on friday"),
            "a word's start, not its middle"
        );
        assert!(!query("café").matches("cafe"), "accents count");
    }

    #[test]
    fn the_fts5_query_quotes_every_word() {
        assert_eq!(query("deploy friday").fts5(), "\"deploy\"* \"friday\"*");
        // Words hold only letters and digits: no quote or operator can reach FTS5.
        assert_eq!(query("NEAR(\"x OR y\")").fts5(), "\"near\"* \"or\"*");
    }

    #[test]
    fn the_index_files_every_short_prefix_and_queries_use_the_same_cut() {
        assert_eq!(index_terms("Go, go!"), ["go"]);
        assert_eq!(index_terms("plan"), ["pl", "pla", "plan"]);
        let long = "internationalization";
        assert_eq!(
            index_terms(long).last().map(String::as_str),
            Some("internatio")
        );
        assert_eq!(query(long).index_terms(), ["internatio"]);
    }

    #[test]
    fn hits_are_whole_words_and_the_rest_stays_text() {
        assert_eq!(
            highlight("Deployment on Friday, deploy!", &query("deploy")),
            [
                Found::Hit("Deployment"),
                Found::Text(" on Friday, "),
                Found::Hit("deploy"),
                Found::Text("!"),
            ]
        );
        assert_eq!(
            highlight("nothing", &query("plan")),
            [Found::Text("nothing")]
        );
    }
}
