use super::composer_files::{upload_refusal, AttachButton, ComposerFiles, PlainUpload};
use super::mention_suggestions::MentionSuggestions;
use super::Hydrated;
use crate::api::SendMessage;
use crate::domain::{Quote, Seq};
use crate::room::{Picking, RoomState};
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The message form. It is a real `<form>` posting to the `send_message` server function, so
/// it works before the wasm has loaded and with JavaScript off. Once hydrated, Enter sends
/// without reloading: the message shows as pending until the server confirms it, a failed
/// one can be retried (with the same `client_id`, so never twice), and a refused one comes
/// back to the text box with the reason next to it. Files picked, dropped on it or pasted
/// into it upload at once and go with the next message; without the script, a small form
/// of its own uploads one file at a time (`PlainUpload`).
#[component]
pub fn Composer() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let body = NodeRef::<Textarea>::new();
    // Without JavaScript a refused send returns in the URL; the server action reads it.
    let refused = ServerAction::<SendMessage>::new()
        .value()
        .get_untracked()
        .and_then(Result::err)
        .map(|error| error.to_string());
    // And a refused upload (the upload form of a page without JavaScript).
    let query = leptos_router::hooks::use_query_map();
    let upload_refused = query.with_untracked(|query| {
        let kind = query.get("__err")?;
        (query.get("__path")? == crate::domain::UPLOAD_PATH)
            .then(|| upload_refusal(&kind).to_owned())
    });
    let error = RwSignal::new(refused.or(upload_refused));
    let last_typing = StoredValue::new(0.0_f64);
    let action = <SendMessage as ServerFn>::PATH;
    // "Reply" without JavaScript is a link to `?reply={seq}`: the page opens replying.
    let asked = query
        .with_untracked(|query| query.get("reply"))
        .and_then(|raw| Seq::parse_cursor(&raw))
        .and_then(|seq| state.timeline.message(seq))
        .filter(|message| !message.deleted);
    if let Some(message) = asked {
        state.replying.set(Some((message.seq, Quote::of(&message))));
    }
    let room_path = format!("/r/{}", state.room());
    // The `@` suggestions open over the text box.
    let picking = RwSignal::new(None::<Picking>);
    let active_option =
        move || picking.with(|p| p.as_ref().map(|p| format!("mention-option-{}", p.active)));
    let hydrated = use_context::<Hydrated>();
    let dragging = RwSignal::new(false);
    let on_drop = move |event: leptos::ev::DragEvent| {
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        {
            let files = event.data_transfer().and_then(|data| data.files());
            if files.as_ref().is_some_and(|files| files.length() > 0) {
                event.prevent_default();
                crate::client::uploads::add_files(state, files, error);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    let on_dragover = move |event: leptos::ev::DragEvent| {
        #[cfg(feature = "hydrate")]
        {
            let carries_files = event
                .data_transfer()
                .is_some_and(|data| data.types().includes(&"Files".into(), 0));
            if carries_files {
                // Allows the drop.
                event.prevent_default();
                dragging.set(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    let on_paste = move |event: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            let files = event.clipboard_data().and_then(|data| data.files());
            if files.as_ref().is_some_and(|files| files.length() > 0) {
                event.prevent_default();
                crate::client::uploads::add_files(state, files, error);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    #[cfg(feature = "hydrate")]
    crate::client::sending::start(state, body, error);

    view! {
        <form
            class="composer"
            class:dragging=move || dragging.get()
            on:dragover=on_dragover
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
            action=action
            method="post"
            aria-label="Send a message"
            on:submit=move |event| {
                #[cfg(feature = "hydrate")]
                {
                    event.prevent_default();
                    crate::client::sending::submit(state, body, error);
                    // Others stop showing "is typing" when the message arrives: the next
                    // keystroke must say so again at once, not after the throttle.
                    last_typing.set_value(0.0);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = event;
            }
        >
            <input type="hidden" name="room" value=state.room() />
            <input type="hidden" name="client_id" value=move || state.client_id.get() />
            {move || {
                state
                    .replying
                    .get()
                    .map(|(seq, quote)| {
                        view! {
                            <div class="replying">
                                <input type="hidden" name="reply_to" value=seq.get() />
                                <span class="replying-text">
                                    "Replying to " <strong>{quote.author}</strong> ": "
                                    <span dir="auto">{quote.excerpt}</span>
                                </span>
                                <a
                                    class="cancel-reply"
                                    href=room_path.clone()
                                    aria-label="Cancel the reply"
                                    title="Cancel the reply"
                                    on:click=move |event| {
                                        event.prevent_default();
                                        state.replying.set(None);
                                    }
                                >
                                    "×"
                                </a>
                            </div>
                        }
                    })
            }}
            <MentionSuggestions picking body />
            <ComposerFiles />
            <div class="composer-row">
                <Show when=move || hydrated.is_some_and(|h| h.get())>
                    <AttachButton error />
                </Show>
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
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-autocomplete="list"
                    aria-controls="mention-suggestions"
                    aria-activedescendant=active_option
                    on:keydown=move |event| {
                        #[cfg(feature = "hydrate")]
                        {
                            use crate::client::{composer_keys, mention_picker};
                            if !mention_picker::on_key(&event, state, body, picking) {
                                composer_keys::send_on_enter(&event);
                            }
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = event;
                    }
                    on:input=move |_| {
                        error.set(None);
                        #[cfg(feature = "hydrate")]
                        {
                            crate::client::composer_keys::signal_typing(state, last_typing);
                            crate::client::mention_picker::on_input(state, body, picking);
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = last_typing;
                    }
                    on:blur=move |_| picking.set(None)
                    on:paste=on_paste
                ></textarea>
                <button type="submit">"Send"</button>
            </div>
            <p id="composer-error" class="composer-error" role="alert">
                {move || error.get()}
            </p>
        </form>
        <Show when=move || !hydrated.is_some_and(|h| h.get())>
            <PlainUpload />
        </Show>
    }
}
