use super::message_editor::MessageEditor;
use super::time_format;
use super::Hydrated;
use crate::domain::{linkify, Segment};
use crate::room::{RoomState, Shown};
use leptos::prelude::*;

/// One message. The body is text: Leptos escapes it, so markup in a message is shown, never
/// run; web addresses become links that open safely; CSS keeps the line breaks.
#[component]
pub fn MessageItem(shown: Shown) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let hydrated = use_context::<Hydrated>();
    let Shown { message, continued } = shown;
    let sent_at = message.sent_at;
    let clock = move || {
        #[cfg(feature = "hydrate")]
        if hydrated.is_some_and(Hydrated::get) {
            return time_format::local_clock(sent_at);
        }
        let _ = hydrated;
        time_format::utc_clock(sent_at)
    };
    let iso = time_format::utc_iso(sent_at);
    let mine = state.is_me(&message.author_id) && !message.deleted;
    let editing = RwSignal::new(false);
    let seq = message.seq;
    let body = message.body.clone();

    let content = if message.deleted {
        view! { <p class="message-body deleted">"message deleted"</p> }.into_any()
    } else {
        view! {
            <Show
                when=move || editing.get()
                fallback={
                    let body = body.clone();
                    move || view! { <p class="message-body" dir="auto">{render_body(&body)}</p> }
                }
            >
                <MessageEditor seq body=body.clone() editing />
            </Show>
        }
        .into_any()
    };

    view! {
        <li class="message" class:continued=continued class:mine=mine data-seq=seq.get()>
            <div class="message-meta" class:visually-hidden=continued>
                <span class="message-author">{message.author.clone()}</span>
                <time datetime=iso.clone() title=iso>
                    {clock}
                </time>
                {message.edited_at.map(|_| view! { <span class="edited">"(edited)"</span> })}
            </div>
            {content}
            <Show when=move || mine && !editing.get()>
                <div class="message-actions">
                    <button type="button" on:click=move |_| editing.set(true)>
                        "Edit"
                    </button>
                    <button type="button" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        crate::client::message_actions::delete(state, seq);
                    }>
                        "Delete"
                    </button>
                </div>
            </Show>
        </li>
    }
    .into_any()
}

/// The body with its web addresses as links (http and https only).
fn render_body(body: &str) -> Vec<AnyView> {
    linkify(body)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.to_owned().into_any(),
            Segment::Link(url) => view! {
                <a href=url.to_owned() rel="noopener nofollow ugc" target="_blank">
                    {url.to_owned()}
                </a>
            }
            .into_any(),
        })
        .collect()
}
