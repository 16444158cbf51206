//! The quote above a reply: the original's author and first line (or that it was deleted),
//! linking to the original in its room.

use crate::domain::{Quote, Seq};
use leptos::prelude::*;

#[component]
pub fn QuoteLink(room: String, reply_to: Seq, quote: Option<Quote>) -> impl IntoView {
    let href = format!("/r/{room}?at={reply_to}");
    let text = match quote {
        Some(quote) if quote.deleted => view! {
            <span class="quote-author">{quote.author}</span>
            <span class="quote-text deleted">"message deleted"</span>
        }
        .into_any(),
        Some(quote) => view! {
            <span class="quote-author">{quote.author}</span>
            <span class="quote-text" dir="auto">{quote.excerpt}</span>
            {quote.edited.then(|| view! { <span class="edited">"(edited)"</span> })}
        }
        .into_any(),
        None => view! {
            <span class="quote-text deleted">"The original message is no longer kept."</span>
        }
        .into_any(),
    };
    view! {
        <a
            class="quote"
            href=href
            rel="external"
            aria-label="The message this replies to"
            on:click=move |event| {
                #[cfg(feature = "hydrate")]
                if crate::client::replies::jump_to(reply_to) {
                    event.prevent_default();
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = event;
            }
        >
            {text}
        </a>
    }
}
