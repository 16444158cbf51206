//! Headers that tell the browser what a response may do: a Content-Security-Policy that runs
//! only the page's own scripts (the hydration script carries this response's nonce; the wasm
//! needs `'wasm-unsafe-eval'`), no framing, no MIME sniffing, no referrer sent elsewhere;
//! with TLS served here, Strict-Transport-Security.
//!
//! The nonce is made here, per response, and handed to the page through the request's
//! extensions: `provide_page_nonce` (in the Leptos context of every page) gives it to
//! Leptos, which puts it on the scripts it writes.

use axum::extract::{Request, State};
use axum::http::{header, request::Parts, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use std::sync::Arc;

/// This response's nonce, in the request's extensions.
#[derive(Debug, Clone)]
struct PageNonce(Arc<str>);

/// What the policy allows besides the site itself.
#[derive(Debug, Clone, Copy)]
pub struct PolicyOptions {
    /// Under `cargo leptos watch` (which sets `LEPTOS_WATCH`): the page's auto-reload opens
    /// a WebSocket to this port of the page's own host.
    pub dev_reload: Option<u32>,
    /// TLS is served by this node: browsers are told to use nothing else for a year.
    pub hsts: bool,
}

impl PolicyOptions {
    /// Auto-reload allowed only while `cargo leptos watch` serves the page (`reload_port`).
    pub fn new(reload_port: u32, hsts: bool) -> Self {
        let watching = std::env::var_os("LEPTOS_WATCH").is_some();
        Self {
            dev_reload: watching.then_some(reload_port),
            hsts,
        }
    }
}

/// Middleware: adds the security headers to every response.
pub async fn add(
    State(options): State<PolicyOptions>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce: [u8; 16] = rand::random();
    let nonce = URL_SAFE_NO_PAD.encode(nonce);
    request
        .extensions_mut()
        .insert(PageNonce(Arc::from(nonce.as_str())));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A route with a stricter policy of its own (an uploaded file's) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&policy(&nonce, options)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if options.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// The Content-Security-Policy of a response whose scripts carry `nonce`.
fn policy(nonce: &str, options: PolicyOptions) -> String {
    let connect = match options.dev_reload {
        Some(port) => format!("'self' ws://localhost:{port} ws://127.0.0.1:{port}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src {connect}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// In a page's Leptos context: the nonce of this response, for the scripts Leptos writes.
pub fn provide_page_nonce() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    if let Some(PageNonce(nonce)) = nonce {
        provide_context(Nonce::from_value(nonce));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_run_only_with_the_nonce_and_nothing_frames_the_page() {
        let options = PolicyOptions {
            dev_reload: None,
            hsts: false,
        };
        let policy = policy("abc", options);
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("connect-src 'self';"));
    }

    #[test]
    fn the_auto_reload_socket_is_allowed_to_its_own_port_on_this_machine_only() {
        let options = PolicyOptions {
            dev_reload: Some(3001),
            hsts: false,
        };
        let policy = policy("abc", options);
        assert!(policy.contains("connect-src 'self' ws://localhost:3001 ws://127.0.0.1:3001;"));
        assert!(
            !policy.contains("ws:;") && !policy.contains("ws: "),
            "{policy}"
        );
    }
}
