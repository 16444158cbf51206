use crate::api::SetNotify;
use crate::domain::NotifyLevel;
use crate::room::RoomState;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// What the current room notifies the person of (a real form: without JavaScript it posts
/// and the page comes back; with it, a change is saved at once), and, while the browser may
/// still ask, a button to allow desktop notifications.
#[component]
pub fn NotifySettings() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let room = state.room();
    let current = move || {
        crate::domain::RoomName::parse(&room)
            .map(|room| {
                state
                    .joined
                    .list()
                    .into_iter()
                    .find(|joined| joined.name == room.as_str())
                    .map(|joined| joined.notify)
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    };
    let on_change = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let level = NotifyLevel::parse(&event_target_value(&event));
            if let (Ok(level), Ok(room)) = (level, crate::domain::RoomName::parse(&state.room())) {
                crate::client::joined_rooms::set_notify(state, room, level);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    let options = move || {
        let chosen = current();
        NotifyLevel::ALL
            .into_iter()
            .map(|level| {
                view! {
                    <option value=level.as_str() selected=level == chosen>
                        {level.label()}
                    </option>
                }
            })
            .collect::<Vec<_>>()
    };
    let action = <SetNotify as ServerFn>::PATH;
    // With JavaScript the choice was saved when it changed.
    let on_submit = |event: leptos::ev::SubmitEvent| {
        if cfg!(feature = "hydrate") {
            event.prevent_default();
        }
    };
    view! {
        <form class="notify-settings" method="post" action=action on:submit=on_submit>
            <input type="hidden" name="room" value=state.room() />
            <label>
                "Notify me of "
                <select name="notify" on:change=on_change>
                    {options}
                </select>
            </label>
            <noscript>
                <button type="submit">"Save"</button>
            </noscript>
        </form>
        <AllowNotifications />
    }
}

/// "Allow desktop notifications", shown only once hydrated and while the browser may ask.
#[component]
fn AllowNotifications() -> impl IntoView {
    let may_ask = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| may_ask.set(crate::client::notifications::may_ask()));
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        crate::client::notifications::ask(move |_| may_ask.set(false));
    };
    view! {
        <Show when=move || may_ask.get()>
            <button type="button" class="allow-notifications" on:click=on_click>
                "Allow desktop notifications"
            </button>
        </Show>
    }
}
