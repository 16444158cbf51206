//! Inline formatting, in three linear passes: here the text is cut into tokens (code spans,
//! links and addresses whole, runs of `*`, `_` and `~~` as delimiters); `tree.rs` pairs the
//! delimiters and builds the tree.

use super::tree::{build, pair};
use super::Inline;
use crate::domain::links::address_len;
use std::collections::HashSet;

/// The inline tree of `text`.
pub(super) fn parse(text: &str) -> Vec<Inline> {
    let mut tokens = Tokenizer::new(text, true).run();
    pair(&mut tokens);
    build(tokens)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// `**`
    StarStrong,
    /// `*`
    StarEmphasis,
    /// `__`
    UnderStrong,
    /// `_`
    UnderEmphasis,
    /// `~~`
    Strike,
}

impl Kind {
    pub(super) const ALL: [Kind; 5] = [
        Kind::StarStrong,
        Kind::StarEmphasis,
        Kind::UnderStrong,
        Kind::UnderEmphasis,
        Kind::Strike,
    ];

    pub(super) fn slot(self) -> usize {
        self as usize
    }

    pub(super) fn marker(self) -> &'static str {
        match self {
            Kind::StarStrong => "**",
            Kind::StarEmphasis => "*",
            Kind::UnderStrong => "__",
            Kind::UnderEmphasis => "_",
            Kind::Strike => "~~",
        }
    }

    pub(super) fn wrap(self, children: Vec<Inline>) -> Inline {
        match self {
            Kind::StarStrong | Kind::UnderStrong => Inline::Strong(children),
            Kind::StarEmphasis | Kind::UnderEmphasis => Inline::Emphasis(children),
            Kind::Strike => Inline::Strike(children),
        }
    }
}

#[derive(Debug)]
pub(super) enum Token {
    Text(String),
    Whole(Inline),
    Delimiter {
        kind: Kind,
        opens: bool,
        closes: bool,
        /// The index of the token it pairs with, once paired.
        partner: Option<usize>,
    },
}

struct Tokenizer<'a> {
    text: &'a str,
    pos: usize,
    /// Whether `[text](address)` makes a link here (not inside a link's own text).
    links: bool,
    tokens: Vec<Token>,
    /// Lengths of backtick runs known to have no closing run further on.
    unclosed_ticks: HashSet<usize>,
    /// For each `[`, where its `]` is (found in one pass).
    brackets: Vec<(usize, usize)>,
    /// Set once no `)` is left further on: no later `[` can make a link.
    no_closing_paren: bool,
}

impl<'a> Tokenizer<'a> {
    fn new(text: &'a str, links: bool) -> Self {
        Tokenizer {
            text,
            pos: 0,
            links,
            tokens: Vec::new(),
            unclosed_ticks: HashSet::new(),
            brackets: if links {
                bracket_pairs(text)
            } else {
                Vec::new()
            },
            no_closing_paren: false,
        }
    }

    fn run(mut self) -> Vec<Token> {
        while let Some(c) = self.text[self.pos..].chars().next() {
            match c {
                '\\' => self.escape(),
                '`' => self.code_span(),
                '[' if self.links => self.link(),
                '*' | '_' | '~' => self.delimiters(c),
                'h' | 'H' if self.links && self.address() => {}
                _ => {
                    // Plain text, up to the next character that may start something.
                    let after = self.pos + c.len_utf8();
                    let next = self.text[after..]
                        .find(['\\', '`', '[', '*', '_', '~', 'h', 'H'])
                        .map_or(self.text.len(), |offset| after + offset);
                    self.push_text(next);
                }
            }
        }
        self.tokens
    }

    /// Text up to byte `end`, merged with the text before it.
    fn push_text(&mut self, end: usize) {
        let piece = &self.text[self.pos..end];
        self.pos = end;
        push_str(&mut self.tokens, piece);
    }

    /// A backslash before ASCII punctuation writes that character as it is.
    fn escape(&mut self) {
        match self.text[self.pos + 1..].chars().next() {
            Some(next) if next.is_ascii_punctuation() => {
                push_str(&mut self.tokens, &next.to_string());
                self.pos += 2;
            }
            _ => self.push_text(self.pos + 1),
        }
    }

    /// A run of backticks opens a code span closed by a run of the same length.
    fn code_span(&mut self) {
        let run = self.text[self.pos..]
            .bytes()
            .take_while(|b| *b == b'`')
            .count();
        let after = self.pos + run;
        let close = if self.unclosed_ticks.contains(&run) {
            None
        } else {
            closing_ticks(&self.text[after..], run)
        };
        match close {
            Some(offset) => {
                let code = &self.text[after..after + offset];
                let trimmed = match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                    Some(inner) if !inner.trim().is_empty() => inner,
                    _ => code,
                };
                self.tokens
                    .push(Token::Whole(Inline::Code(trimmed.to_owned())));
                self.pos = after + offset + run;
            }
            None => {
                self.unclosed_ticks.insert(run);
                self.push_text(after);
            }
        }
    }

    /// `[text](address)` with an allowed address; anything else is text.
    fn link(&mut self) {
        let open = self.pos;
        let close = self
            .brackets
            .binary_search_by_key(&open, |(o, _)| *o)
            .ok()
            .map(|found| self.brackets[found].1);
        let target = close.filter(|_| !self.no_closing_paren).and_then(|close| {
            let rest = self.text[close + 1..].strip_prefix('(')?;
            let Some(end) = rest.find(')') else {
                self.no_closing_paren = true;
                return None;
            };
            let href = &rest[..end];
            allowed_href(href).then_some((close, href, close + 2 + end + 1))
        });
        match target {
            Some((close, href, end)) => {
                let label = &self.text[open + 1..close];
                let mut children = Tokenizer::new(label, false).run();
                pair(&mut children);
                let children = build(children);
                let children = if children.is_empty() {
                    vec![Inline::Text(href.to_owned())]
                } else {
                    children
                };
                self.tokens.push(Token::Whole(Inline::Link {
                    href: href.to_owned(),
                    children,
                }));
                self.pos = end;
            }
            None => self.push_text(open + 1),
        }
    }

    /// A bare web address, kept whole (its `_` and `*` are not formatting). Returns false
    /// when none starts here.
    fn address(&mut self) -> bool {
        let starts_word = self.text[..self.pos]
            .chars()
            .next_back()
            .is_none_or(|before| !before.is_alphanumeric());
        let Some(len) = starts_word
            .then(|| address_len(&self.text[self.pos..]))
            .flatten()
        else {
            return false;
        };
        let href = &self.text[self.pos..self.pos + len];
        self.tokens.push(Token::Whole(Inline::Link {
            href: href.to_owned(),
            children: vec![Inline::Text(href.to_owned())],
        }));
        self.pos += len;
        true
    }

    /// A run of `*` or `_` (or `~`): delimiters that may open (followed by a non-space) and
    /// may close (preceded by one). `_` inside a word (`snake_case`) neither opens nor
    /// closes; `~` counts only as a pair.
    fn delimiters(&mut self, c: char) {
        let run = self.text[self.pos..]
            .chars()
            .take_while(|x| *x == c)
            .count();
        let before = self.text[..self.pos].chars().next_back();
        let after = self.text[self.pos + run..].chars().next();
        let space = |x: Option<char>| x.is_none_or(char::is_whitespace);
        let word = |x: Option<char>| x.is_some_and(char::is_alphanumeric);
        let mut opens = !space(after);
        let mut closes = !space(before);
        if c == '_' {
            opens &= !word(before);
            closes &= !word(after);
        }
        let kinds: Vec<Kind> = match (c, run) {
            ('~', 2) => vec![Kind::Strike],
            ('~', _) => Vec::new(),
            ('*', 1) => vec![Kind::StarEmphasis],
            ('*', 2) => vec![Kind::StarStrong],
            ('*', 3) => vec![Kind::StarStrong, Kind::StarEmphasis],
            ('_', 1) => vec![Kind::UnderEmphasis],
            ('_', 2) => vec![Kind::UnderStrong],
            ('_', 3) => vec![Kind::UnderStrong, Kind::UnderEmphasis],
            _ => Vec::new(),
        };
        if kinds.is_empty() || !(opens || closes) {
            self.push_text(self.pos + run);
            return;
        }
        // A run that closes lists its inner marker first, so `***a***` nests.
        let ordered: Vec<Kind> = if closes {
            kinds.into_iter().rev().collect()
        } else {
            kinds
        };
        for kind in ordered {
            self.tokens.push(Token::Delimiter {
                kind,
                opens,
                closes,
                partner: None,
            });
        }
        self.pos += run;
    }
}

fn push_str(tokens: &mut Vec<Token>, piece: &str) {
    match tokens.last_mut() {
        Some(Token::Text(text)) => text.push_str(piece),
        _ => tokens.push(Token::Text(piece.to_owned())),
    }
}

/// Where in `rest` a run of exactly `run` backticks starts, if one does.
fn closing_ticks(rest: &str, run: usize) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let len = bytes[i..].iter().take_while(|b| **b == b'`').count();
            if len == run {
                return Some(i);
            }
            i += len;
        } else {
            i += 1;
        }
    }
    None
}

/// Each `[` with its matching `]`, in order of the `[`.
fn bracket_pairs(text: &str) -> Vec<(usize, usize)> {
    let mut open = Vec::new();
    let mut pairs = Vec::new();
    for (at, byte) in text.bytes().enumerate() {
        match byte {
            b'[' => open.push(at),
            b']' => {
                if let Some(start) = open.pop() {
                    pairs.push((start, at));
                }
            }
            _ => {}
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Only `http`, `https` and `mailto` addresses, whole and without spaces or quotes, link.
fn allowed_href(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    let scheme = ["http://", "https://", "mailto:"]
        .into_iter()
        .find(|scheme| lower.starts_with(scheme));
    scheme.is_some_and(|scheme| href.len() > scheme.len())
        && !href.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || crate::domain::domain_error::is_invisible(c)
                || matches!(c, '<' | '>' | '"' | '`')
        })
}
