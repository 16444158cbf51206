use super::search_form::SearchForm;
use super::time_format::{self, ViewClock};
use super::url_query;
use super::Hydrated;
use crate::api::search;
use crate::domain::{highlight, ChatMessage, Found, SearchPage, SearchQuery};
use crate::error::ChatError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/search?q=&room=&before=`: messages matching the words, newest first, each opening the
/// message in its room; "Older results" pages on. Rendered on the server: it works without
/// JavaScript, and a search is a link that can be shared.
#[component]
pub fn SearchResultsPage() -> impl IntoView {
    let hydrated = Hydrated::provide();
    let query = use_query_map();
    let words = move || query.read().get("q").unwrap_or_default();
    let room = move || query.read().get("room").filter(|room| !room.is_empty());
    let before = move || query.read().get("before").filter(|raw| !raw.is_empty());
    let page = Resource::new(
        move || (words(), room(), before()),
        |(words, room, before)| search(words, room, before),
    );
    // A plain value: the server reads the title after the page's reactive owner is gone
    // (and each search is a page load of its own).
    let asked = query.with_untracked(|q| q.get("q")).unwrap_or_default();
    let title = match asked.trim() {
        "" => "Search · Chat".to_owned(),
        words => format!("{words} · Search · Chat"),
    };
    let back = move || room().map_or_else(|| "/".to_owned(), |room| format!("/r/{room}"));
    view! {
        <Title text=title />
        <main class="search-page" data-hydrated=move || hydrated.get().to_string()>
            <header class="room-header">
                <a class="back" href=back rel="external" aria-label="Back">
                    "←"
                </a>
                <h1>"Search"</h1>
            </header>
            <SearchForm words=words() room=room() />
            <Suspense fallback=|| view! { <p class="page-message">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <Results page words=words() room=room() /> }.into_any(),
                        Err(error) => view! { <SearchRefused error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Results(page: SearchPage<ChatMessage>, words: String, room: Option<String>) -> impl IntoView {
    let hydrated = use_context::<Hydrated>();
    let Ok(query) = SearchQuery::parse(&words) else {
        return ().into_any();
    };
    if page.results.is_empty() {
        let text = if page.has_older {
            "Nothing more in this stretch; older results may follow."
        } else {
            "No message matches these words."
        };
        return view! {
            <p class="empty-room">{text}</p>
            <OlderResults older=page.older words room />
        }
        .into_any();
    }
    let items = page
        .results
        .into_iter()
        .map(|message| {
            let sent_at = message.sent_at;
            let clock = move || {
                let view = ViewClock::of(hydrated);
                time_format::stamp(view.wall(sent_at), view.now())
            };
            let iso = time_format::utc_iso(sent_at);
            let href = format!("/r/{}?at={}", message.room, message.seq);
            let body = highlight(&message.body, &query)
                .into_iter()
                .map(|piece| match piece {
                    Found::Hit(word) => view! { <mark>{word.to_owned()}</mark> }.into_any(),
                    Found::Text(text) => text.to_owned().into_any(),
                })
                .collect_view();
            view! {
                <li class="search-result">
                    <a href=href rel="external">
                        <span class="message-meta">
                            <span class="result-room">"#" {message.room.to_string()}</span>
                            <span class="message-author">{message.author.clone()}</span>
                            <time datetime=iso.clone() title=iso>
                                {clock}
                            </time>
                        </span>
                        <span class="message-body" dir="auto">
                            {body}
                        </span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <ol class="search-results" aria-label="Results">
            {items}
        </ol>
        <OlderResults older=page.older words room />
    }
    .into_any()
}

/// "Older results": the same search below the last result shown.
#[component]
fn OlderResults(older: Option<String>, words: String, room: Option<String>) -> impl IntoView {
    older.map(|older| {
        let mut href = format!("/search?q={}", url_query::encode(&words));
        if let Some(room) = room {
            href.push_str(&format!("&room={room}"));
        }
        href.push_str(&format!("&before={older}"));
        view! {
            <a class="older-results" href=href rel="external">
                "Older results"
            </a>
        }
    })
}

/// Shown instead of results: why the search was refused (an empty query says nothing).
#[component]
fn SearchRefused(error: ChatError) -> impl IntoView {
    // A query that breaks a rule is the person's to fix, not a failed page.
    #[cfg(feature = "ssr")]
    if !matches!(&error, ChatError::Invalid(_) | ChatError::Malformed(_)) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = axum::http::StatusCode::from_u16(error.status_code()) {
                response.set_status(status);
            }
        }
    }
    view! { <p class="composer-error" role="alert">{error.to_string()}</p> }
}
