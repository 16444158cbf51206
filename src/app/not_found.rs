use leptos::prelude::*;

/// What every unknown path shows, with a 404 status when rendered on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page-message">
            <h1>"Nothing here"</h1>
            <p>
                "This page does not exist. "
                <a href="/r/lobby">"Go to the lobby"</a>
            </p>
        </main>
    }
}
