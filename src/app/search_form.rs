use crate::domain::MAX_QUERY_CHARS;
use leptos::prelude::*;

/// A search box: a plain GET form to `/search`, in one room (when given) or every room.
#[component]
pub fn SearchForm(#[prop(into)] words: String, room: Option<String>) -> impl IntoView {
    let scope = room.map(|room| {
        let label = format!("#{room}");
        view! {
            <select name="room" aria-label="Where to search">
                <option value=room.clone() selected>
                    {label}
                </option>
                <option value="">"All rooms"</option>
            </select>
        }
    });
    view! {
        <form class="search-form" role="search" method="get" action="/search">
            <input
                type="search"
                name="q"
                value=words
                placeholder="Search messages"
                aria-label="Search messages"
                maxlength=MAX_QUERY_CHARS
                required
            />
            {scope}
            <button type="submit">"Search"</button>
        </form>
    }
}
