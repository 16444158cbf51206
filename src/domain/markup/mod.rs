//! The Markdown subset a message body is shown in: **bold**, *italics* (or `_italics_`),
//! ~~strikethrough~~, `inline code`, fenced code blocks with their language named, quotes,
//! lists and links. A body is stored as its source text; [`parse`] turns it into this tree,
//! which the page renders as elements (never as HTML text), the same on the server and in
//! the browser. So nothing a body holds can add an element or attribute outside the subset:
//! HTML in a body is text, images are not embedded, and only `http`, `https` and `mailto`
//! addresses become links.
//!
//! Everything else of Markdown (headings, rules, tables, images) stays the text it was
//! written as. Every pass is linear in the body's length, and nesting is capped, so a
//! hostile body (10,000 nested quotes, a line of 16 KB of markers) costs what its length
//! does.

mod blocks;
mod inlines;
#[cfg(test)]
mod tests;
mod tree;

/// How deep quotes and lists nest; deeper markers stay text.
pub const MAX_BLOCK_DEPTH: usize = 8;
/// How deep bold, italics and strikethrough nest; deeper markers stay text.
pub const MAX_INLINE_DEPTH: usize = 8;

/// A block of a message: what a blank line, a fence, a quote or a list marker starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Lines of text; a line break inside it is kept (as `\n` in its text).
    Paragraph(Vec<Inline>),
    /// A fenced code block: its lines exactly as written, and the language its fence named
    /// (letters, digits and `+#._-` only; anything else names none).
    Code {
        language: Option<String>,
        text: String,
    },
    Quote(Vec<Block>),
    /// A list; `start` is the first number of a numbered list, `None` for bullets.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
}

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Strike(Vec<Inline>),
    Code(String),
    /// A link to an `http`, `https` or `mailto` address: written `[text](address)`, or a
    /// bare `http(s)://` address (then its text is the address).
    Link {
        href: String,
        children: Vec<Inline>,
    },
}

/// A message body as the chat shows it.
pub fn parse(body: &str) -> Vec<Block> {
    blocks::parse(body, 0)
}

/// The body's text without its markers, as one line per block: for notifications and
/// excerpts, where formatting cannot show.
pub fn plain_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        match block {
            Block::Paragraph(inlines) => inline_text(inlines, &mut out),
            Block::Code { text, .. } => out.push_str(text),
            Block::Quote(inner) => out.push_str(&plain_text(inner)),
            Block::List { items, .. } => {
                let lines: Vec<String> = items.iter().map(|item| plain_text(item)).collect();
                out.push_str(&lines.join("\n"));
            }
        }
    }
    out
}

fn inline_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(text) | Inline::Code(text) => out.push_str(text),
            Inline::Strong(inner) | Inline::Emphasis(inner) | Inline::Strike(inner) => {
                inline_text(inner, out)
            }
            Inline::Link { children, .. } => inline_text(children, out),
        }
    }
}
