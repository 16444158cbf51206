//! When a secret of the account's (an API token, a passkey, a webhook) was made and last
//! used, as its row in a list shows it, on the viewer's clock.

use super::time_format::{self, ViewClock};
use super::Hydrated;
use leptos::prelude::*;

/// " · made {when} · last used {when}" (`made`: the verb and the time, when shown), or
/// "never used".
#[component]
pub fn UseTimes(made: Option<(&'static str, i64)>, used: Option<i64>) -> impl IntoView {
    let hydrated = use_context::<Hydrated>();
    let when = move |at: i64| {
        let view = ViewClock::of(hydrated);
        time_format::stamp(view.wall(at), view.now())
    };
    view! {
        <span class="session-times">
            {made.map(|(verb, at)| view! { " · " {verb} " " {move || when(at)} " · " })}
            {move || used.map_or_else(|| "never used".to_owned(), |at| format!("last used {}", when(at)))}
        </span>
    }
}
