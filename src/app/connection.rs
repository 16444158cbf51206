use leptos::prelude::*;

/// The state of the page's live feed, shown to the person so they know whether what they
/// see is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Live,
    Reconnecting,
}

impl ConnectionState {
    fn label(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "Connecting…",
            ConnectionState::Live => "Live",
            ConnectionState::Reconnecting => "Reconnecting…",
        }
    }

    fn class(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connection connecting",
            ConnectionState::Live => "connection live",
            ConnectionState::Reconnecting => "connection reconnecting",
        }
    }
}

/// A small status pill; rendered only once the page runs JavaScript (without it there is no
/// live feed to report on).
#[component]
pub fn ConnectionBadge(
    state: ReadSignal<ConnectionState>,
    hydrated: super::Hydrated,
) -> impl IntoView {
    view! {
        <Show when=move || hydrated.get()>
            <span class=move || state.get().class() role="status" data-state=move || format!("{:?}", state.get()).to_lowercase()>
                {move || state.get().label()}
            </span>
        </Show>
    }
}
