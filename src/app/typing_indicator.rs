use crate::room::RoomState;
use leptos::prelude::*;

/// "Alice is typing…" under the messages; empty when nobody is.
#[component]
pub fn TypingIndicator() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let text = move || {
        let names: Vec<String> = state
            .typing
            .with(|list| list.iter().map(|t| t.user.name.clone()).collect());
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("{one} is typing…"),
            [one, two] => format!("{one} and {two} are typing…"),
            _ => "Several people are typing…".to_owned(),
        }
    };
    view! { <p class="typing" aria-live="polite">{text}</p> }
}
