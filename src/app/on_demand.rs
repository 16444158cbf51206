//! The pages whose code the browser fetches only when it shows them: everything but the
//! room's page, which is where people land and stay. Built with `cargo leptos --split`
//! (the Makefile's every build), each becomes its own wasm module: the server's page names
//! it (with the chunks it shares with other such pages) in `<link rel="preload">`, and
//! hydration waits for it (`hydrate_lazy` in lib.rs). A first visit to a room downloads none
//! of them (docs/benchmarks.md, "A first visit, on the wire").

use super::{account_page, admin_page, rooms_page, search_page};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A route whose view is one component, loaded on demand. Pages load their own data
/// (Resources inside the component), so the route itself carries none.
macro_rules! on_demand_page {
    ($(#[$doc:meta])* $route:ident => $page:path) => {
        $(#[$doc])*
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

on_demand_page!(
    /// `/`: the room list.
    Rooms => rooms_page::RoomsPage
);
on_demand_page!(
    /// `/account`: signing up and in, devices, passkeys, tokens.
    Account => account_page::AccountPage
);
on_demand_page!(
    /// `/admin`: the operator's page.
    Admin => admin_page::AdminPage
);
on_demand_page!(
    /// `/search`: search results.
    Search => search_page::SearchResultsPage
);
