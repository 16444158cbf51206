use super::*;
use Inline::{Code, Emphasis, Strike, Strong, Text};

fn text(s: &str) -> Inline {
    Text(s.to_owned())
}

fn para(inlines: Vec<Inline>) -> Block {
    Block::Paragraph(inlines)
}

fn link(href: &str, label: &str) -> Inline {
    Inline::Link {
        href: href.to_owned(),
        children: vec![text(label)],
    }
}

#[test]
fn plain_text_is_one_paragraph_with_its_line_breaks() {
    assert_eq!(
        parse("hello\nworld"),
        vec![para(vec![text("hello\nworld")])]
    );
    assert_eq!(
        parse("one\n\ntwo"),
        vec![para(vec![text("one")]), para(vec![text("two")])]
    );
}

#[test]
fn bold_italics_strikethrough_and_code_are_recognised() {
    assert_eq!(
        parse("**b** *i* _u_ ~~s~~ `c`"),
        vec![para(vec![
            Strong(vec![text("b")]),
            text(" "),
            Emphasis(vec![text("i")]),
            text(" "),
            Emphasis(vec![text("u")]),
            text(" "),
            Strike(vec![text("s")]),
            text(" "),
            Code("c".into()),
        ])]
    );
}

#[test]
fn formatting_nests() {
    assert_eq!(
        parse("***both*** **bold *and italic***"),
        vec![para(vec![
            Strong(vec![Emphasis(vec![text("both")])]),
            text(" "),
            Strong(vec![text("bold "), Emphasis(vec![text("and italic")])]),
        ])]
    );
}

#[test]
fn unclosed_and_crossed_markers_stay_text() {
    assert_eq!(
        parse("**not closed"),
        vec![para(vec![text("**not closed")])]
    );
    assert_eq!(parse("a * b * c"), vec![para(vec![text("a * b * c")])]);
    // Crossed pairs: the first to close wins, the other is text.
    assert_eq!(
        parse("*a **b* c**"),
        vec![para(vec![Emphasis(vec![text("a **b")]), text(" c**")])]
    );
    assert_eq!(parse("`unclosed"), vec![para(vec![text("`unclosed")])]);
}

#[test]
fn underscores_inside_words_and_addresses_are_not_formatting() {
    assert_eq!(
        parse("snake_case_name"),
        vec![para(vec![text("snake_case_name")])]
    );
    assert_eq!(
        parse("see https://x.org/a_b_c and *x*"),
        vec![para(vec![
            text("see "),
            link("https://x.org/a_b_c", "https://x.org/a_b_c"),
            text(" and "),
            Emphasis(vec![text("x")]),
        ])]
    );
    assert_eq!(
        parse("**https://x.org**"),
        vec![para(vec![Strong(vec![link(
            "https://x.org",
            "https://x.org"
        )])])]
    );
}

#[test]
fn code_spans_keep_their_text_and_markers_inside_are_not_formatting() {
    assert_eq!(
        parse("`**x** <b>` and `` a`b ``"),
        vec![para(vec![
            Code("**x** <b>".into()),
            text(" and "),
            Code("a`b".into()),
        ])]
    );
}

#[test]
fn a_backslash_writes_the_marker_itself() {
    assert_eq!(parse(r"\*not\* \_x\_"), vec![para(vec![text("*not* _x_")])]);
}

#[test]
fn links_need_an_allowed_address() {
    assert_eq!(
        parse("[docs](https://e.org/d) [mail](mailto:a@b.c)"),
        vec![para(vec![
            link("https://e.org/d", "docs"),
            text(" "),
            link("mailto:a@b.c", "mail"),
        ])]
    );
    for hostile in [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](data:text/html,hi)",
        "[x](vbscript:msgbox)",
        "[x](//evil.example)",
        "[x](https://)",
    ] {
        let blocks = parse(hostile);
        assert!(
            hrefs(&blocks).is_empty(),
            "{hostile} made a link: {blocks:?}"
        );
    }
    // An address never takes in a quote (that would end the attribute): the link stops
    // before it, and the label syntax around it stays text.
    assert_eq!(
        hrefs(&parse("[x](https://e.org/\"onmouseover=\"x)")),
        ["https://e.org/"]
    );
}

#[test]
fn a_link_label_may_be_formatted_but_holds_no_link() {
    assert_eq!(
        parse("[**a** https://x.org](https://y.org)"),
        vec![para(vec![Inline::Link {
            href: "https://y.org".into(),
            children: vec![Strong(vec![text("a")]), text(" https://x.org")],
        }])]
    );
}

#[test]
fn html_and_images_are_text() {
    let body = "<script>alert(1)</script> <img src=x onerror=alert(1)> ![i](https://t.example/p.gif) &amp; &lt;b&gt;";
    let blocks = parse(body);
    // The image's address is a plain link at most: nothing is embedded.
    assert_eq!(
        blocks,
        vec![para(vec![
            text("<script>alert(1)</script> <img src=x onerror=alert(1)> !"),
            Inline::Link {
                href: "https://t.example/p.gif".into(),
                children: vec![text("i")],
            },
            text(" &amp; &lt;b&gt;"),
        ])]
    );
}

#[test]
fn a_fenced_code_block_keeps_its_whitespace_and_names_its_language() {
    let body = "look:\n```rust\nfn main() {\n    let  x = 1;\n\n\tloop {}\n}\n```\nafter";
    assert_eq!(
        parse(body),
        vec![
            para(vec![text("look:")]),
            Block::Code {
                language: Some("rust".into()),
                text: "fn main() {\n    let  x = 1;\n\n\tloop {}\n}".into(),
            },
            para(vec![text("after")]),
        ]
    );
}

#[test]
fn a_fence_names_no_language_unless_it_is_a_plain_word_and_runs_to_the_end_unclosed() {
    assert_eq!(
        parse("```\"><script>\n**x**"),
        vec![Block::Code {
            language: None,
            text: "**x**".into()
        }]
    );
    assert_eq!(
        parse("```c++ extra\nint x;\n````"),
        vec![Block::Code {
            language: Some("c++".into()),
            text: "int x;".into()
        }]
    );
}

#[test]
fn quotes_and_lists() {
    assert_eq!(
        parse("> quoted *text*\n> more\nafter"),
        vec![
            Block::Quote(vec![para(vec![
                text("quoted "),
                Emphasis(vec![text("text")]),
                text("\nmore"),
            ])]),
            para(vec![text("after")]),
        ]
    );
    assert_eq!(
        parse("- one\n- two\n  still two\n3. three"),
        vec![
            Block::List {
                start: None,
                items: vec![
                    vec![para(vec![text("one")])],
                    vec![para(vec![text("two\nstill two")])]
                ],
            },
            Block::List {
                start: Some(3),
                items: vec![vec![para(vec![text("three")])]],
            },
        ]
    );
}

#[test]
fn a_rule_a_heading_and_bare_markers_stay_text() {
    for body in ["---", "# not a heading", "-", "1.", "*"] {
        assert_eq!(plain_text(&parse(body)), body, "{body}");
    }
}

#[test]
fn ten_thousand_nested_quotes_stop_nesting_at_the_cap() {
    let body = format!("{} deep", ">".repeat(10_000));
    let blocks = parse(&body);
    assert_eq!(block_depth(&blocks), MAX_BLOCK_DEPTH + 1);
    let lines: String = (0..200).map(|n| format!("{}x\n", ">".repeat(n))).collect();
    assert_eq!(block_depth(&parse(&lines)), MAX_BLOCK_DEPTH + 1);
}

#[test]
fn deeply_nested_formatting_stops_at_the_cap() {
    let body = format!("{}x{}", "*a ".repeat(5_000), " a*".repeat(5_000));
    let blocks = parse(&body);
    assert!(inline_depth(&blocks) <= MAX_INLINE_DEPTH);
    assert_eq!(plain_text(&blocks).matches('x').count(), 1);
}

#[test]
fn a_line_of_sixteen_kilobytes_of_markers_is_parsed_quickly() {
    let started = std::time::Instant::now();
    for unit in [
        "*", "**", "_", "`", "[", "](", "~~", "\\", "[a](", "`` `", "*_~~`[",
    ] {
        let body = unit.repeat(16 * 1024 / unit.len());
        let blocks = parse(&body);
        // Nothing is lost: every marker that pairs with nothing is text.
        assert!(plain_text(&blocks).len() <= body.len());
    }
    let body = "x".repeat(16 * 1024);
    assert_eq!(parse(&body), vec![para(vec![text(&body)])]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_plain_text_drops_the_markers() {
    assert_eq!(
        plain_text(&parse(
            "**Hi** _all_:\n```\ncode\n```\n- [a](https://x.org)"
        )),
        "Hi all:\ncode\na"
    );
}

fn hrefs(blocks: &[Block]) -> Vec<String> {
    fn inline(inlines: &[Inline], out: &mut Vec<String>) {
        for i in inlines {
            match i {
                Inline::Link { href, children } => {
                    out.push(href.clone());
                    inline(children, out);
                }
                Strong(c) | Emphasis(c) | Strike(c) => inline(c, out),
                Text(_) | Code(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    for b in blocks {
        match b {
            Block::Paragraph(i) => inline(i, &mut out),
            Block::Quote(inner) => out.extend(hrefs(inner)),
            Block::List { items, .. } => items.iter().for_each(|item| out.extend(hrefs(item))),
            Block::Code { .. } => {}
        }
    }
    out
}

fn block_depth(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|b| match b {
            Block::Quote(inner) => 1 + block_depth(inner),
            Block::List { items, .. } => {
                1 + items.iter().map(|i| block_depth(i)).max().unwrap_or(0)
            }
            _ => 1,
        })
        .max()
        .unwrap_or(0)
}

fn inline_depth(blocks: &[Block]) -> usize {
    fn depth(inlines: &[Inline]) -> usize {
        inlines
            .iter()
            .map(|i| match i {
                Strong(c) | Emphasis(c) | Strike(c) => 1 + depth(c),
                Inline::Link { children, .. } => depth(children),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
    blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(i) => depth(i),
            Block::Quote(inner) => inline_depth(inner),
            Block::List { items, .. } => items.iter().map(|i| inline_depth(i)).max().unwrap_or(0),
            Block::Code { .. } => 0,
        })
        .max()
        .unwrap_or(0)
}
