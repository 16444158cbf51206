use super::message_item::MessageItem;
use super::pending_item::PendingItem;
use crate::room::RoomState;
use leptos::html::Ol;
use leptos::prelude::*;

/// The room's messages, oldest at the top, then the person's unconfirmed ones. New messages
/// are announced to screen readers; older ones load when scrolling up.
#[component]
pub fn MessageList() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let timeline = state.timeline;
    let list = NodeRef::<Ol>::new();
    let loading = RwSignal::new(false);

    #[cfg(feature = "hydrate")]
    {
        crate::client::scroll::follow_newest(state, list);
        crate::client::scroll::load_older_near_top(state, loading);
    }
    let load_older = move |_| {
        #[cfg(feature = "hydrate")]
        crate::client::scroll::load_older(state, loading);
    };

    view! {
        <div class="history-controls">
            <Show when=move || timeline.has_older()>
                <button
                    type="button"
                    class="load-older"
                    on:click=load_older
                    disabled=move || loading.get()
                >
                    {move || if loading.get() { "Loading…" } else { "Load older messages" }}
                </button>
            </Show>
        </div>
        <Show when=move || timeline.is_empty() && state.outbox.items().is_empty()>
            <p class="empty-room">"No messages yet. Say hello!"</p>
        </Show>
        <ol class="messages" node_ref=list aria-live="polite" aria-label="Messages">
            <For
                each=move || timeline.shown()
                key=|shown| {
                    let m = &shown.message;
                    (
                        (m.seq, m.edited_at, m.deleted, m.pinned, shown.continued, shown.previous_sent_at),
                        (m.reactions.clone(), m.quote.clone()),
                    )
                }
                let:shown
            >
                <MessageItem shown />
            </For>
            <Show when=move || timeline.has_newer()>
                <li class="history-controls newer">
                    <button
                        type="button"
                        class="load-older"
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            crate::client::scroll::load_newer(state, loading);
                        }
                        disabled=move || loading.get()
                    >
                        {move || if loading.get() { "Loading…" } else { "Newer messages" }}
                    </button>
                    // A whole page load: the newest page, with the live feed from there.
                    <a href=format!("/r/{}", state.room()) rel="external">
                        "Jump to the newest"
                    </a>
                </li>
            </Show>
            <For each=move || state.outbox.items() key=|p| (p.client_id.clone(), p.status.clone()) let:pending>
                <PendingItem pending />
            </For>
        </ol>
        <Show when=move || { state.below.get() > 0 }>
            <button type="button" class="new-messages" on:click=move |_| {
                #[cfg(feature = "hydrate")]
                crate::client::scroll::to_bottom(state);
            }>
                {move || match state.below.get() {
                    1 => "1 new message ↓".to_owned(),
                    n => format!("{n} new messages ↓"),
                }}
            </button>
        </Show>
    }
    .into_any()
}
