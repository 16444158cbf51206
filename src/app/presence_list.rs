use super::private_room_panel::PrivateRoomPanel;
use super::webhooks_panel::WebhooksPanel;
use crate::room::RoomState;
use leptos::prelude::*;

/// Who is online in the room, live, each with a button to message them directly.
#[component]
pub fn PresenceList() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let count = move || state.presence.with(|presence| presence.count);
    let unlisted = move || {
        state
            .presence
            .with(|presence| presence.count.saturating_sub(presence.online.len()))
    };
    view! {
        <aside class="presence" aria-labelledby="presence-title">
            <PrivateRoomPanel />
            // Who moderates the room locks and unlocks it (a plain form: the answer sends
            // the browser back to the room, which shows the notice).
            {state.moderates.then(|| view! {
                <form class="lock-room" method="post" action="/api/lock_room">
                    <input type="hidden" name="room" value=state.room() />
                    <input type="hidden" name="locked" value=(!state.locked).to_string() />
                    <button type="submit">
                        {if state.locked { "Unlock the room" } else { "Lock the room" }}
                    </button>
                </form>
            })}
            {state.moderates.then(|| view! { <WebhooksPanel /> })}
            <h2 id="presence-title">
                "Online " <span class="presence-count">{count}</span>
            </h2>
            <ul aria-label="People online">
                <For
                    each=move || state.presence.with(|presence| presence.online.clone())
                    key=|user| (user.id.clone(), user.name.clone())
                    let:user
                >
                    <li class:me=state.is_me(&user.id)>
                        <span class="presence-dot" aria-hidden="true"></span>
                        {user.name.clone()}
                        // A plain form, with or without JavaScript: the answer sends the
                        // browser on to the direct-message room.
                        {(!state.is_me(&user.id)).then(|| view! {
                            <form class="open-dm" method="post" action="/api/open_dm">
                                <input type="hidden" name="user" value=user.id.to_string() />
                                <input type="hidden" name="name" value=user.name.clone() />
                                // The glyph is drawn by the style sheet: the list's text
                                // stays the people's names.
                                <button
                                    type="submit"
                                    title="Send a direct message"
                                    aria-label=format!("Message {}", user.name)
                                ></button>
                            </form>
                        })}
                    </li>
                </For>
            </ul>
            <p class="presence-more">
                {move || match unlisted() {
                    0 => String::new(),
                    n => format!("and {n} more"),
                }}
            </p>
            <p class="room-export">
                "Download the history: "
                <a href=format!("/api/rooms/{}/export?format=md", state.room()) download rel="external">
                    "Markdown"
                </a>
                " · "
                <a href=format!("/api/rooms/{}/export?format=jsonl", state.room()) download rel="external">
                    "JSON lines"
                </a>
            </p>
        </aside>
    }
}
