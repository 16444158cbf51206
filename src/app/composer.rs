use crate::api::SendMessage;
use crate::domain::{ChatMessage, MessageBody, Nickname};
use leptos::html::Textarea;
use leptos::prelude::*;

/// The message form. It is a real `<form>` posting to the `send_message` server function, so
/// it works before the wasm has loaded and with JavaScript off; once hydrated, it sends
/// without reloading, shows errors next to the text, and clears itself after a send.
#[component]
pub fn Composer(
    room: String,
    viewer_name: String,
    client_id: String,
    on_sent: Callback<ChatMessage>,
) -> impl IntoView {
    let send = ServerAction::<SendMessage>::new();
    let client_id = RwSignal::new(client_id);
    let body = NodeRef::<Textarea>::new();

    Effect::new(move |_| {
        if let Some(Ok(message)) = send.value().get() {
            on_sent.run(message);
            #[cfg(feature = "hydrate")]
            crate::client::composer::reset(body, client_id);
        }
    });

    let error = move || {
        send.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    };

    view! {
        <ActionForm action=send attr:class="composer" attr:aria-label="Send a message">
            <input type="hidden" name="room" value=room />
            <input type="hidden" name="client_id" value=move || client_id.get() />
            <div class="composer-name">
                <label for="composer-author">"Your name"</label>
                <input
                    id="composer-author"
                    name="author"
                    value=viewer_name
                    maxlength=Nickname::MAX_CHARS
                    autocomplete="nickname"
                />
            </div>
            <div class="composer-row">
                <label for="composer-body" class="visually-hidden">
                    "Message"
                </label>
                <textarea
                    id="composer-body"
                    name="body"
                    node_ref=body
                    rows="2"
                    placeholder="Write a message…"
                    title="Enter sends, Shift+Enter adds a line"
                    aria-describedby="composer-error"
                    aria-invalid=move || error().is_some().to_string()
                    data-max-chars=MessageBody::MAX_CHARS
                    on:keydown=move |event| {
                        #[cfg(feature = "hydrate")]
                        crate::client::composer::send_on_enter(&event);
                        #[cfg(not(feature = "hydrate"))]
                        let _ = event;
                    }
                ></textarea>
                <button type="submit" disabled=move || send.pending().get()>
                    "Send"
                </button>
            </div>
            <p id="composer-error" class="composer-error" role="alert">
                {error}
            </p>
        </ActionForm>
    }
    .into_any()
}
