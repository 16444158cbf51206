//! A message body as the chat shows it: its Markdown subset ([`crate::domain::markup`]) as
//! elements, with mentions marked (strongly the viewer's). The same function renders the
//! server's page and the browser's, so hydration finds what the server wrote. Text is
//! always text (Leptos escapes it); an attribute is only ever a link's checked address or a
//! code block's checked language.

use crate::domain::markup::{self, Block, Inline};
use crate::domain::{segments, Mention, MentionSegment, UserId};
use leptos::prelude::*;

/// The body of one message, as the blocks of a `div.message-body`.
#[component]
pub fn MessageBody(body: String, mentions: Vec<Mention>, me: UserId) -> impl IntoView {
    let shown = Shown {
        mentions: &mentions,
        me: &me,
    };
    let blocks = shown.blocks(&markup::parse(&body));
    view! { <div class="message-body" dir="auto">{blocks}</div> }
}

/// What rendering needs besides the tree.
#[derive(Clone, Copy)]
struct Shown<'a> {
    mentions: &'a [Mention],
    me: &'a UserId,
}

impl Shown<'_> {
    fn blocks(self, blocks: &[Block]) -> Vec<AnyView> {
        blocks.iter().map(|block| self.block(block)).collect()
    }

    fn block(self, block: &Block) -> AnyView {
        match block {
            Block::Paragraph(inlines) => view! { <p>{self.inlines(inlines)}</p> }.into_any(),
            Block::Code { language, text } => {
                let class = language.as_ref().map(|l| format!("language-{l}"));
                view! {
                    <pre class="code-block" data-language=language.clone()>
                        <code class=class>{text.clone()}</code>
                    </pre>
                }
                .into_any()
            }
            Block::Quote(inner) => {
                view! { <blockquote>{self.blocks(inner)}</blockquote> }.into_any()
            }
            Block::List { start: None, items } => view! { <ul>{self.items(items)}</ul> }.into_any(),
            Block::List {
                start: Some(start),
                items,
            } => view! { <ol start=*start>{self.items(items)}</ol> }.into_any(),
        }
    }

    fn items(self, items: &[Vec<Block>]) -> Vec<AnyView> {
        items
            .iter()
            .map(|item| view! { <li>{self.blocks(item)}</li> }.into_any())
            .collect()
    }

    fn inlines(self, inlines: &[Inline]) -> Vec<AnyView> {
        inlines
            .iter()
            .flat_map(|inline| self.inline(inline))
            .collect()
    }

    fn inline(self, inline: &Inline) -> Vec<AnyView> {
        let one = match inline {
            Inline::Text(text) => return self.text(text),
            Inline::Strong(inner) => view! { <strong>{self.inlines(inner)}</strong> }.into_any(),
            Inline::Emphasis(inner) => view! { <em>{self.inlines(inner)}</em> }.into_any(),
            Inline::Strike(inner) => view! { <del>{self.inlines(inner)}</del> }.into_any(),
            Inline::Code(code) => view! { <code>{code.clone()}</code> }.into_any(),
            Inline::Link { href, children } => view! {
                <a href=href.clone() rel="noopener nofollow ugc" target="_blank">
                    {self.inlines(children)}
                </a>
            }
            .into_any(),
        };
        vec![one]
    }

    /// Text with its mentions marked.
    fn text(self, text: &str) -> Vec<AnyView> {
        segments(text, self.mentions)
            .into_iter()
            .map(|segment| match segment {
                MentionSegment::Mention { text, id } if id == self.me => {
                    view! { <strong class="mention mention-me">{text.to_owned()}</strong> }
                        .into_any()
                }
                MentionSegment::Mention { text, .. } => {
                    view! { <span class="mention">{text.to_owned()}</span> }.into_any()
                }
                MentionSegment::Text(text) => text.to_owned().into_any(),
            })
            .collect()
    }
}
