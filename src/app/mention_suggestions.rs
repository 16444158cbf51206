use crate::room::{Picking, RoomState};
use leptos::html::Textarea;
use leptos::prelude::*;

/// The people the `@` being typed may mean, online first; the active one is marked for
/// screen readers through the text box's `aria-activedescendant`.
#[component]
pub fn MentionSuggestions(
    picking: RwSignal<Option<Picking>>,
    body: NodeRef<Textarea>,
) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let options = move || {
        picking.with(|open| {
            let Some(open) = open else {
                return Vec::new();
            };
            open.options
                .iter()
                .enumerate()
                .map(|(index, option)| {
                    let active = index == open.active;
                    let person = option.person.clone();
                    let name = person.name.clone();
                    // Mouse down, not click: the text box keeps the focus (and the caret).
                    let on_choose = move |event: leptos::ev::MouseEvent| {
                        event.prevent_default();
                        #[cfg(feature = "hydrate")]
                        crate::client::mention_picker::choose(
                            state,
                            body,
                            picking,
                            person.clone(),
                        );
                        #[cfg(not(feature = "hydrate"))]
                        let _ = (&person, state, body);
                    };
                    view! {
                        <li
                            id=format!("mention-option-{index}")
                            role="option"
                            aria-selected=active.to_string()
                            class:active=active
                            on:mousedown=on_choose
                        >
                            <span class="suggestion-name">{name}</span>
                            {option.online.then(|| view! { <span class="suggestion-online">"online"</span> })}
                        </li>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ul
            id="mention-suggestions"
            class="mention-suggestions"
            role="listbox"
            aria-label="People to mention"
            hidden=move || picking.with(Option::is_none)
        >
            {options}
        </ul>
    }
}
