use leptos::prelude::*;

/// The state of the page's live feed, shown so the person knows whether what they see is
/// current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    Connecting,
    Live,
    Reconnecting,
    /// The browser reports no network.
    Offline,
}

impl ConnectionState {
    fn label(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "Connecting…",
            ConnectionState::Live => "Live",
            ConnectionState::Reconnecting => "Reconnecting…",
            ConnectionState::Offline => "Offline",
        }
    }

    fn name(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Live => "live",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Offline => "offline",
        }
    }
}

/// A small status pill; rendered only once the page runs JavaScript (without it there is no
/// live feed to report on).
#[component]
pub fn ConnectionBadge(
    state: RwSignal<ConnectionState>,
    hydrated: super::Hydrated,
) -> impl IntoView {
    view! {
        <Show when=move || hydrated.get()>
            <span
                class=move || format!("connection {}", state.get().name())
                role="status"
                data-state=move || state.get().name()
            >
                {move || state.get().label()}
            </span>
        </Show>
    }
}
