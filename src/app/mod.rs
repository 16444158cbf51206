//! The UI: the HTML shell, the router, and the pages' components. The state they show is
//! in `room`; what they do in the browser is in `client`.

mod account_page;
mod admin_page;
mod api_tokens_panel;
mod attachment_list;
mod composer;
mod composer_files;
mod connection_badge;
mod create_private_room;
mod device_link_panel;
mod mention_suggestions;
mod message_body;
mod message_editor;
mod message_item;
mod message_list;
mod name_form;
mod not_found;
mod notify_settings;
mod on_demand;
mod passkeys_panel;
mod password_panel;
mod pending_item;
mod pinned_list;
mod presence_list;
mod private_room_panel;
mod push_panel;
mod quote_link;
mod reaction_bar;
mod room;
mod room_page;
mod rooms_page;
mod rooms_sidebar;
mod search_form;
mod search_page;
mod time_format;
mod typing_indicator;
mod url_query;
mod use_times;
mod webhooks_panel;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/192.png" />
                <meta name="theme-color" content="#3b5bdb" />
                <script src="/register-sw.js" defer nonce=leptos::nonce::use_nonce()></script>
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The app's routes: the room list, the rooms, search, the account and administration.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Chat" />
        <Router>
            <Routes fallback=not_found::NotFound>
                // Async: pages arrive complete, so they read the same without JavaScript. The
                // room's page is in the main wasm; the others' code is fetched by the pages
                // that show them (on_demand.rs).
                <Route path=path!("/") view={Lazy::<on_demand::Rooms>::new()} ssr=SsrMode::Async />
                <Route path=path!("/r/:room") view=room_page::RoomPage ssr=SsrMode::Async />
                <Route path=path!("/account") view={Lazy::<on_demand::Account>::new()} ssr=SsrMode::Async />
                <Route path=path!("/admin") view={Lazy::<on_demand::Admin>::new()} ssr=SsrMode::Async />
                <Route path=path!("/search") view={Lazy::<on_demand::Search>::new()} ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

/// Whether the page has been hydrated: `false` while rendering on the server and until the
/// wasm has attached, then `true`. Tests wait for `data-hydrated="true"`.
#[derive(Debug, Clone, Copy)]
pub struct Hydrated(pub ReadSignal<bool>);

impl Hydrated {
    /// Provides the flag to the components below and flips it once the browser runs them.
    pub fn provide() -> Self {
        let (hydrated, set_hydrated) = signal(false);
        Effect::new(move |_| set_hydrated.set(true));
        let flag = Self(hydrated);
        provide_context(flag);
        flag
    }

    pub fn get(self) -> bool {
        self.0.get()
    }
}
