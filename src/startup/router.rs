//! Every route of a node, and the middleware around them, in the order a request meets them.

use crate::app::{shell, App};
use crate::server::access::session;
use crate::server::http::edge::request_body::{self, BodyLimits};
use crate::server::http::edge::request_id;
use crate::server::http::edge::security_headers::{self, PolicyOptions};
use crate::server::http::edge::static_assets;
use crate::server::http::edge::{banned_addresses, compression, origin};
use crate::server::http::routes::{
    browser_stream, device_links, export, files, health, icons, invites, join, pins, push,
    room_stream, upload, webhooks,
};
use crate::server::http::server_fn_status;
use crate::server::metrics;
use crate::server::node::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::{get, post};
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{
    file_and_error_handler_with_context, generate_route_list, AxumRouteListing, LeptosRoutes,
};
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::map_response_body::MapResponseBodyLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The largest request body accepted. A 4,000-character message of 4-byte characters,
/// percent-encoded, is under 48 KiB; anything bigger is refused (413) before it is read.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// Every route: plain axum routes first, then the Leptos pages and server functions.
/// A request body must arrive within `body_timeout`; `hsts` when TLS is served here;
/// `/metrics` only when `metrics_here` (otherwise [`metrics_router`] serves it elsewhere).
pub fn router(state: AppState, body_timeout: Duration, hsts: bool, metrics_here: bool) -> Router {
    let pages = page_routes();
    let leptos_options = state.leptos_options.clone();
    let context_state = state.clone();
    let page_context = move || {
        provide_context(context_state.clone());
        security_headers::provide_page_nonce();
    };
    let sessions = state.sessions.clone();
    let banned_state = state.clone();
    let policy = PolicyOptions::new(state.leptos_options.reload_port, hsts);
    let upload_body = state.files.max_file_bytes + upload::MULTIPART_OVERHEAD;
    let routes = Router::new()
        .route("/join", get(join::join))
        .route("/invite/{token}", get(invites::show).post(invites::accept))
        .route(
            "/link/{token}",
            get(device_links::show).post(device_links::accept),
        )
        .route("/hooks/{token}", axum::routing::post(webhooks::post))
        .route("/livez", get(health::livez))
        .route("/readyz", get(health::readyz))
        .route("/healthz", get(health::readyz))
        .route("/api/rooms/{room}/export", get(export::export))
        .route("/api/rooms/{room}/pins", get(pins::list))
        .route(
            crate::domain::UPLOAD_PATH,
            post(upload::upload).layer(DefaultBodyLimit::max(
                usize::try_from(upload_body).unwrap_or(usize::MAX),
            )),
        )
        .route(
            "/api/files/{id}",
            get(files::original).delete(files::withdraw),
        )
        .route("/api/files/{id}/thumb", get(files::thumbnail))
        .route("/icons/{file}", get(icons::icon))
        .route("/api/push/key", get(push::key))
        .route("/api/push/subscribe", post(push::subscribe))
        .route("/api/push/unsubscribe", post(push::unsubscribe))
        .merge(match metrics_here {
            true => metrics_router(),
            false => Router::new(),
        })
        .leptos_routes_with_context(&state, pages, page_context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            security_headers::provide_page_nonce,
            shell,
        ))
        // Everything above goes out compressed when the browser accepts it, but what
        // carries a secret (`compression.rs`). The event streams, merged below, are left
        // out of the layer itself: its body wrapper would cost every open stream 5.7 KiB.
        .layer(compression::layer())
        .layer(MapResponseBodyLayer::new(axum::body::Body::new))
        .layer(middleware::map_response(compression::drop_mark))
        .merge(
            Router::new()
                .route("/api/rooms/{room}/events", get(room_stream::room_events))
                .route("/api/events", get(browser_stream::browser_events)),
        )
        .with_state(state);
    // The middleware wraps the router once, outermost first. (`Router::layer` would wrap
    // every route instead, and a route's whole stack, state and all, is cloned for each
    // request it serves.)
    let middleware = ServiceBuilder::new()
        .layer(middleware::from_fn(request_id::keep_only_plain))
        .layer(middleware::from_fn(metrics::count_rejections))
        .layer(middleware::from_fn(static_assets::cache_control))
        // Every request has its id before anything below sees it.
        .layer(SetRequestIdLayer::new(
            HeaderName::from_static(request_id::HEADER),
            MakeRequestUuid,
        ))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(
            request_id::HEADER,
        )))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!(
                        "http",
                        method = %request.method(),
                        path = %logged_path(request.uri().path()),
                        request_id = %request_id::of(request),
                    )
                })
                // One access line per request (an event stream's when its headers go).
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(middleware::from_fn_with_state(
            policy,
            security_headers::add,
        ))
        .layer(middleware::from_fn_with_state(
            BodyLimits {
                max_bytes: MAX_REQUEST_BODY,
                timeout: body_timeout,
            },
            request_body::read_whole,
        ))
        .layer(middleware::from_fn(origin::refuse_cross_site))
        .layer(middleware::from_fn_with_state(
            banned_state,
            banned_addresses::refuse,
        ))
        .layer(middleware::from_fn_with_state(sessions, session::attach))
        .layer(middleware::map_response(server_fn_status::set_error_status));
    Router::new().fallback_service(middleware.service(routes))
}

/// `GET /metrics` alone: on the node's address, or on `CHAT_METRICS_ADDR`'s.
pub fn metrics_router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/metrics", get(metrics::render))
}

/// The path as the access log shows it: the token of an invite link (which lets whoever
/// holds it join a private room), a device link (sign in) or a webhook (post) is left out.
fn logged_path(path: &str) -> &str {
    const SECRET_PATHS: [(&str, &str); 3] = [
        ("/invite/", "/invite/{token}"),
        ("/link/", "/link/{token}"),
        ("/hooks/", "/hooks/{token}"),
    ];
    SECRET_PATHS
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map_or(path, |(_, logged)| logged)
}

/// The app's page routes, listed once per process. Listing runs the app with resource
/// loading suppressed for the whole process (a Leptos global), so a page that another
/// node in the same process (tests start many) began loading meanwhile never finished.
/// The first listing happens before any node serves a page.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}
