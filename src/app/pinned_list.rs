use crate::domain::{excerpt, ChatMessage};
use crate::room::RoomState;
use leptos::prelude::*;

/// The room's pinned messages in its header, the most recently pinned first: "📌 3 pinned"
/// opens the list (a `<details>`, so it opens without JavaScript too), and each opens the
/// room at that message.
#[component]
pub fn PinnedList() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let room = state.room();
    view! {
        <Show when=move || { state.pins.count() > 0 }>
            <details class="pins">
                <summary title="Pinned messages">
                    <span aria-hidden="true">"📌 "</span>
                    {move || format!("{} pinned", state.pins.count())}
                </summary>
                <ol class="pins-list">
                    <For
                        each=move || state.pins.list()
                        key=|message| (message.seq, message.edited_at)
                        children={
                            let room = room.clone();
                            move |message| view! { <PinnedEntry room=room.clone() message /> }
                        }
                    />
                </ol>
            </details>
        </Show>
    }
}

#[component]
fn PinnedEntry(room: String, message: ChatMessage) -> impl IntoView {
    let href = format!("/r/{room}?at={}", message.seq);
    view! {
        <li>
            <a href=href rel="external">
                <span class="pin-author">{message.author}</span>
                " "
                <span class="pin-excerpt">{excerpt(&message.body)}</span>
            </a>
        </li>
    }
}
