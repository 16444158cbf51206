use super::message_item::MessageItem;
use super::Timeline;
use leptos::html::Ol;
use leptos::prelude::*;

/// The room's messages, oldest at the top. New ones are announced to screen readers.
#[component]
pub fn MessageList(timeline: Timeline) -> impl IntoView {
    let list = NodeRef::<Ol>::new();

    // Keep the newest message in view as messages arrive, unless the reader scrolled up.
    #[cfg(feature = "hydrate")]
    crate::client::scroll::follow_newest(list, move || timeline.newest());

    view! {
        <Show when=move || timeline.is_empty()>
            <p class="empty-room">"No messages yet. Say hello!"</p>
        </Show>
        <ol class="messages" node_ref=list aria-live="polite" aria-label="Messages">
            <For each=move || timeline.messages() key=|message| message.seq let:message>
                <MessageItem message />
            </For>
        </ol>
    }
    .into_any()
}
