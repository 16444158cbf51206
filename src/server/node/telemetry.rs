//! Logging through `tracing`, filtered by `RUST_LOG`: text for people, or one JSON object a
//! line with `CHAT_LOG_FORMAT=json` (for a log pipeline), each line carrying its request's
//! span fields (`request_id`, `method`, `path`, `user`, …).

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (several tests in one process) are no-ops.
/// `CHAT_LOG_FORMAT`: `text` (the default) or `json`; anything else is text, with a warning.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let format = std::env::var("CHAT_LOG_FORMAT").unwrap_or_default();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if format == "json" {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
    if !matches!(format.as_str(), "" | "text" | "json") {
        tracing::warn!(%format, "CHAT_LOG_FORMAT is text or json: logging as text");
    }
}
