use super::room::Room;
use crate::api::get_room;
use crate::domain::Seq;
use crate::error::ChatError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/r/{room}`: loads the room's newest messages (or, at `?at={seq}`, the messages around
/// that one), then shows the room; `?attach={ids}` puts those uploads of the viewer's in the
/// composer.
#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let room = move || params.read().get("room").unwrap_or_default();
    let at = move || {
        query
            .read()
            .get("at")
            .and_then(|raw| Seq::parse_cursor(&raw))
    };
    // Files uploaded by the form of a page without JavaScript, for its composer.
    let attach = move || query.read().get("attach");
    let snapshot = Resource::new(
        move || (room(), at(), attach()),
        |(room, at, attach)| get_room(room, at, attach),
    );

    view! {
        <Suspense fallback=|| view! { <p class="page-message">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match snapshot.await {
                    Ok(snapshot) => view! { <Room snapshot /> }.into_any(),
                    Err(error) => view! { <RoomUnavailable error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Shown instead of the room when it cannot be loaded, with the status to match.
#[component]
fn RoomUnavailable(error: ChatError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let status = match error {
            ChatError::Invalid(_) => 404,
            _ => error.status_code(),
        };
        if let Ok(status) = axum::http::StatusCode::from_u16(status) {
            response.set_status(status);
        }
    }
    view! {
        <main class="page-message">
            <h1>"This room cannot be shown"</h1>
            <p>{error.to_string()}</p>
            <p>
                <a href="/r/lobby">"Go to the lobby"</a>
            </p>
        </main>
    }
}
