//! A message body written back as Markdown for the export: the chat's formatting (its
//! Markdown subset, `domain/markup`) as CommonMark writes it, and everything else escaped,
//! so a Markdown viewer shows the message as the chat does. A body that is `---`, starts a
//! heading or a list the chat does not make, or holds HTML reads as typed there too.

use crate::domain::markup::{self, Block, Inline};

/// The body as Markdown blocks, separated by blank lines.
pub fn body(source: &str) -> String {
    blocks(&markup::parse(source))
}

fn blocks(blocks: &[Block]) -> String {
    let written: Vec<String> = blocks.iter().map(block).collect();
    written.join("\n\n")
}

fn block(block: &Block) -> String {
    match block {
        Block::Paragraph(inlines) => {
            // A hard line break (two spaces) keeps each line of the message on its own.
            let text = inline_run(inlines);
            let lines: Vec<String> = text.split('\n').map(line_start).collect();
            lines.join("  \n")
        }
        Block::Code { language, text } => {
            let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
            let language = language.as_deref().unwrap_or("");
            format!("{fence}{language}\n{text}\n{fence}")
        }
        Block::Quote(inner) => prefix_lines(&blocks(inner), "> ", "> "),
        Block::List { start, items } => {
            let written: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(n, item)| {
                    let marker = match start {
                        Some(start) => format!("{}. ", start.saturating_add(n as u64)),
                        None => "- ".to_owned(),
                    };
                    let indent = " ".repeat(marker.len());
                    prefix_lines(&blocks(item), &marker, &indent)
                })
                .collect();
            written.join("\n")
        }
    }
}

/// `first` before the first line, `rest` before every other (blank lines too, so a quote
/// or a list item stays one block).
fn prefix_lines(text: &str, first: &str, rest: &str) -> String {
    text.split('\n')
        .enumerate()
        .map(|(n, line)| {
            let prefix = if n == 0 { first } else { rest };
            format!("{prefix}{line}").trim_end_matches(' ').to_owned()
                + if line.ends_with("  ") { "  " } else { "" }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A line of a paragraph: its indentation dropped (it would make a code block), and a
/// character that would start a list, a heading underline or a rule at its start escaped.
fn line_start(line: &str) -> String {
    let line = line.trim_start();
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if matches!(line.as_bytes().first(), Some(b'-' | b'+' | b'=')) {
        format!("\\{line}")
    } else if digits > 0 && matches!(line.as_bytes().get(digits), Some(b'.' | b')')) {
        format!("{}\\{}", &line[..digits], &line[digits..])
    } else {
        line.to_owned()
    }
}

fn inline_run(inlines: &[Inline]) -> String {
    inlines.iter().map(inline).collect()
}

fn inline(inline: &Inline) -> String {
    match inline {
        Inline::Text(text) => escape(text),
        Inline::Strong(inner) => format!("**{}**", inline_run(inner)),
        Inline::Emphasis(inner) => format!("*{}*", inline_run(inner)),
        Inline::Strike(inner) => format!("~~{}~~", inline_run(inner)),
        Inline::Code(code) => {
            let ticks = "`".repeat(longest_run(code, '`') + 1);
            let pad = if code.starts_with('`') || code.ends_with('`') {
                " "
            } else {
                ""
            };
            format!("{ticks}{pad}{code}{pad}{ticks}")
        }
        Inline::Link { href, children } => {
            let label = inline_run(children);
            if label == escape(href) {
                format!("<{href}>")
            } else {
                format!("[{label}](<{href}>)")
            }
        }
    }
}

/// Someone's words with Markdown's (and HTML's) own characters escaped, so they read as
/// typed.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn longest_run(text: &str, of: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == of { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_is_written_as_markdown_and_text_is_escaped() {
        assert_eq!(
            body("**bold** and *it* ~~gone~~ `a*b` <script>alert(1)</script> &amp;"),
            "**bold** and *it* ~~gone~~ `a*b` \\<script\\>alert(1)\\</script\\> \\&amp;"
        );
    }

    #[test]
    fn a_rule_a_heading_or_a_list_the_chat_did_not_make_reads_as_typed() {
        assert_eq!(body("---"), "\\---");
        assert_eq!(body("text\n==="), "text  \n\\===");
        assert_eq!(body("# title"), "\\# title");
        assert_eq!(body("a\n-"), "a  \n\\-");
        assert_eq!(body("1)"), "1\\)");
        assert_eq!(body("    not code"), "not code");
    }

    #[test]
    fn blocks_keep_their_shape() {
        assert_eq!(
            body("- one\n- two\n\n> quoted\n> *more*\n\n```rust\nlet x = `y`;\n```"),
            "- one\n- two\n\n> quoted  \n> *more*\n\n```rust\nlet x = `y`;\n```"
        );
        assert_eq!(
            body("```\nhas ``` inside\n```"),
            "````\nhas ``` inside\n````"
        );
        assert_eq!(body("3. three\n4. four"), "3. three\n4. four");
    }

    #[test]
    fn links_keep_their_address_whole() {
        assert_eq!(
            body("[docs](https://e.org/a(b) https://x.org/c_d"),
            "[docs](<https://e.org/a(b>) <https://x.org/c_d>"
        );
    }
}
