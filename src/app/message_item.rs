use super::time_format;
use super::Hydrated;
use crate::domain::ChatMessage;
use leptos::prelude::*;

/// One message. The body is text: Leptos escapes it, so markup in a message is shown, never
/// run, and CSS (`white-space: pre-wrap`) keeps its line breaks.
#[component]
pub fn MessageItem(message: ChatMessage) -> impl IntoView {
    let hydrated = use_context::<Hydrated>();
    let sent_at = message.sent_at;
    let clock = move || {
        #[cfg(feature = "hydrate")]
        if hydrated.is_some_and(Hydrated::get) {
            return time_format::local_clock(sent_at);
        }
        let _ = hydrated;
        time_format::utc_clock(sent_at)
    };
    let iso = time_format::utc_iso(sent_at);
    view! {
        <li class="message" data-seq=message.seq.get()>
            <div class="message-meta">
                <span class="message-author">{message.author}</span>
                <time datetime=iso.clone() title=iso>
                    {clock}
                </time>
            </div>
            <p class="message-body">{message.body}</p>
        </li>
    }
}
