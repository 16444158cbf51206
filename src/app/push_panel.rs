//! Push notifications on this device, on the account page: a button turns them on (the
//! browser asks the person then, never on load) or off. A mention or a direct message then
//! reaches this device while no tab of its room is open. Needs JavaScript and a browser
//! with the Push API; otherwise the panel says so.

use leptos::prelude::*;

/// What the panel shows (the server's page: `Checking`, until the script has looked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Shown {
    Checking,
    Unsupported,
    Blocked,
    Off,
    On,
}

#[component]
pub fn PushPanel() -> impl IntoView {
    let shown = RwSignal::new(Shown::Checking);
    let error = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    {
        use crate::client::push::{state, PushState};
        Effect::new(move |_| {
            leptos::task::spawn_local(async move {
                shown.set(match state().await {
                    PushState::Unsupported => Shown::Unsupported,
                    PushState::Blocked => Shown::Blocked,
                    PushState::Off => Shown::Off,
                    PushState::On => Shown::On,
                });
            });
        });
    }
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::client::push::{turn_off, turn_on};
            error.set(None);
            let on = shown.get_untracked() == Shown::On;
            let done = if on {
                turn_off().await
            } else {
                turn_on().await
            };
            match done {
                Ok(()) => shown.set(if on { Shown::Off } else { Shown::On }),
                Err(reason) => error.set(Some(reason)),
            }
        });
    };
    let words = move || match shown.get() {
        Shown::Checking => "Notifications on this device need JavaScript.",
        Shown::Unsupported => "This browser cannot receive push notifications from the chat.",
        Shown::Blocked => {
            "Notifications are blocked for this site: allow them in the browser's settings."
        }
        Shown::Off => "Off on this device.",
        Shown::On => {
            "On: mentions and direct messages reach this device while no tab of their room is open."
        }
    };
    view! {
        <section class="account-section" aria-labelledby="push-title">
            <h2 id="push-title">"Notifications on this device"</h2>
            <p class="account-hint">{words}</p>
            <Show when=move || matches!(shown.get(), Shown::Off | Shown::On)>
                <button type="button" on:click=toggle>
                    {move || if shown.get() == Shown::On { "Turn them off" } else { "Turn them on" }}
                </button>
            </Show>
            <p class="composer-error" role="alert">{move || error.get()}</p>
        </section>
    }
}
