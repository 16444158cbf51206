//! How the site's files are named and cached. Release builds name the wasm, JS and CSS after
//! their content (`cargo-leptos` `hash-files`; `hash.txt` beside the binary lists the hashes)
//! and precompress them (`--precompress`: `.br` and `.gz` beside each, which the file handler
//! serves to a browser that accepts them). A hashed file never changes, so it is cached for a
//! year; a page is revalidated every time, so a deploy is seen at the next load. Event
//! streams are never compressed nor cached.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::config::LeptosOptions;

const FOREVER: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Whether this build's assets carry hashes: `hash.txt` is beside the running binary (a
/// release built by `cargo leptos`), whatever `LEPTOS_HASH_FILES` says.
pub fn hashed_build(options: &LeptosOptions) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
        .is_some_and(|path| path.exists())
}

/// Middleware: a year for hashed assets under `/pkg/`, `no-cache` for pages.
pub async fn cache_control(request: Request, next: Next) -> Response {
    let hashed_asset = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let policy = if hashed_asset && response.status().is_success() {
        Some(FOREVER)
    } else if is_page {
        Some(REVALIDATE)
    } else {
        None
    };
    if let Some(policy) = policy {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// `/pkg/chat.3f9a….wasm`: a file under `/pkg/` whose name has a hash between the stem and
/// the extension.
fn is_hashed_asset(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let mut parts = name.split('.');
    let (Some(_stem), Some(hash)) = (parts.next(), parts.next()) else {
        return false;
    };
    parts.next().is_some()
        && hash.len() >= 8
        && hash
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_files_under_pkg_are_cached_for_ever() {
        assert!(is_hashed_asset("/pkg/chat.0123456789abcdef.wasm"));
        assert!(
            is_hashed_asset("/pkg/chat.5qxxw9Dwf4WEiPF_oDFOVg.wasm"),
            "base64url"
        );
        assert!(is_hashed_asset("/pkg/chat.0123456789abcdef.css"));
        assert!(is_hashed_asset("/pkg/chat.0123456789abcdef.wasm.br"));
        assert!(!is_hashed_asset("/pkg/chat.wasm"), "not hashed");
        assert!(!is_hashed_asset("/pkg/chat_bg.wasm"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/r/lobby"));
    }
}
