use crate::room::ConnectionState;
use leptos::prelude::*;

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
