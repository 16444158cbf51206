//! Blocks: fenced code, quotes, lists and paragraphs, read line by line.

use super::{inlines, Block, MAX_BLOCK_DEPTH};

/// The blocks of `text`, nested `depth` quotes or lists deep.
pub(super) fn parse(text: &str, depth: usize) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(fence) = Fence::opening(line) {
            flush(&mut paragraph, &mut blocks);
            i += 1;
            let start = i;
            while i < lines.len() && !fence.closes(lines[i]) {
                i += 1;
            }
            blocks.push(Block::Code {
                language: fence.language,
                text: lines[start..i].join("\n"),
            });
            // An unclosed fence runs to the end of the body.
            i += 1;
            continue;
        }
        if depth < MAX_BLOCK_DEPTH {
            if let Some(first) = quoted(line) {
                flush(&mut paragraph, &mut blocks);
                let mut inner = vec![first];
                i += 1;
                while let Some(next) = lines.get(i).and_then(|line| quoted(line)) {
                    inner.push(next);
                    i += 1;
                }
                blocks.push(Block::Quote(parse(&inner.join("\n"), depth + 1)));
                continue;
            }
            if let Some(marker) = ListMarker::of(line) {
                flush(&mut paragraph, &mut blocks);
                let (list, next) = list(&lines, i, marker, depth);
                blocks.push(list);
                i = next;
                continue;
            }
        }
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut blocks);
        } else {
            paragraph.push(line);
        }
        i += 1;
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

fn flush(paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>) {
    if !paragraph.is_empty() {
        blocks.push(Block::Paragraph(inlines::parse(&paragraph.join("\n"))));
        paragraph.clear();
    }
}

/// The list that starts at `lines[first]`, and the index of the first line after it. An
/// item is its marker's line and the indented lines under it; a line that is neither, or a
/// marker of the other kind (bullets, numbers), ends the list.
fn list(lines: &[&str], first: usize, marker: ListMarker, depth: usize) -> (Block, usize) {
    let mut items = Vec::new();
    let mut i = first;
    while let Some(item) = lines.get(i).and_then(|line| ListMarker::of(line)) {
        if item.number.is_some() != marker.number.is_some() {
            break;
        }
        let mut content = vec![&lines[i][item.width..]];
        i += 1;
        while let Some(more) = lines.get(i).and_then(|line| indented(line)) {
            content.push(more);
            i += 1;
        }
        items.push(parse(&content.join("\n"), depth + 1));
    }
    let list = Block::List {
        start: marker.number,
        items,
    };
    (list, i)
}

/// A line under a list item: indented by at least two spaces (or a tab), without them.
fn indented(line: &str) -> Option<&str> {
    if line.trim().is_empty() {
        return None;
    }
    line.strip_prefix('\t')
        .or_else(|| line.strip_prefix("  "))
        .map(|rest| rest.strip_prefix("  ").unwrap_or(rest))
}

/// What follows a quote's `>` (and the one space after it), if the line is quoted.
fn quoted(line: &str) -> Option<&str> {
    let rest = up_to_three_spaces(line).strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

fn up_to_three_spaces(line: &str) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    if spaces <= 3 {
        &line[spaces..]
    } else {
        line
    }
}

/// A list item's marker: `-`, `*` or `+`, or a number and `.` or `)`, then a space.
#[derive(Debug, Clone, Copy)]
struct ListMarker {
    /// The item's number, for a numbered list.
    number: Option<u64>,
    /// Where the item's text starts in its line, in bytes.
    width: usize,
}

impl ListMarker {
    fn of(line: &str) -> Option<ListMarker> {
        let rest = up_to_three_spaces(line);
        let indent = line.len() - rest.len();
        let (number, marker_len) = match rest.as_bytes().first()? {
            b'-' | b'*' | b'+' => (None, 1),
            b'0'..=b'9' => {
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 9 || !matches!(rest.as_bytes().get(digits), Some(b'.' | b')')) {
                    return None;
                }
                (rest[..digits].parse().ok(), digits + 1)
            }
            _ => return None,
        };
        let after = &rest[marker_len..];
        if !after.starts_with(' ') || after.trim().is_empty() {
            return None;
        }
        Some(ListMarker {
            number,
            width: indent + marker_len + 1,
        })
    }
}

/// A code fence: three or more backticks, and the language named after them.
struct Fence {
    ticks: usize,
    language: Option<String>,
}

impl Fence {
    fn opening(line: &str) -> Option<Fence> {
        let rest = up_to_three_spaces(line);
        let ticks = rest.bytes().take_while(|b| *b == b'`').count();
        let info = rest[ticks..].trim();
        if ticks < 3 || info.contains('`') {
            return None;
        }
        let word = info.split_whitespace().next().unwrap_or("");
        let named = !word.is_empty()
            && word.len() <= 32
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '.' | '_' | '-'));
        Some(Fence {
            ticks,
            language: named.then(|| word.to_owned()),
        })
    }

    fn closes(&self, line: &str) -> bool {
        let rest = up_to_three_spaces(line).trim_end();
        rest.len() >= self.ticks && rest.bytes().all(|b| b == b'`')
    }
}
