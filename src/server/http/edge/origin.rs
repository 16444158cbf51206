//! Refuses state-changing requests sent by other sites (cross-site request forgery), using
//! the headers browsers add: `Sec-Fetch-Site`, or else `Origin` compared with `Host`.
//! Requests without either (scripts, curl) are not from a browser page and pass, and so do
//! requests with an API token (`Authorization: Bearer`): a page of another site cannot send
//! that header without the chat agreeing to it (CORS), which it never does.

use crate::error::ChatError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Middleware over the whole router.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let script = crate::server::access::session::bearer(request.headers()).is_some();
    if safe || script || same_origin(request.headers()) {
        return next.run(request).await;
    }
    tracing::info!(path = %request.uri().path(), "refused a cross-site request");
    let mut response =
        ChatError::Forbidden("Requests from other sites cannot change this chat.".into())
            .into_response();
    response
        .extensions_mut()
        .insert(crate::server::metrics::Rejected("origin"));
    response
}

/// Whether the request comes from our own pages (or from no page at all).
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::same_origin;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn own_pages_and_scripts_pass() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[
            ("host", "chat.test"),
            ("origin", "https://chat.test")
        ])));
        assert!(same_origin(&headers(&[])), "no browser headers: a script");
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[
            ("host", "chat.test"),
            ("origin", "https://evil.test")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "chat.test"),
            ("origin", "null")
        ])));
    }
}
