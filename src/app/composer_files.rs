use crate::domain::{human_size, MAX_ATTACHMENTS, UPLOAD_PATH};
use crate::room::{Attaching, RoomState};
use leptos::prelude::*;

/// Attaching a file without JavaScript: a form of its own (forms do not nest) that posts the
/// file to `/api/upload?then=page`, which sends the page back holding it (`?attach=`), with
/// the files held already. Shown until the page runs its script.
#[component]
pub fn PlainUpload() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let action = move || {
        format!(
            "{UPLOAD_PATH}?then=page&room={}&attach={}",
            state.room(),
            state.attaching.uploaded_ids()
        )
    };
    view! {
        <Show when=move || state.attaching.list().len() < MAX_ATTACHMENTS>
            <form
                class="plain-upload"
                action=action
                method="post"
                enctype="multipart/form-data"
                aria-label="Attach a file"
            >
                <input type="hidden" name="room" value=state.room() />
                <label>
                    "Attach a file: " <input type="file" name="file" required />
                </label>
                <button type="submit">"Upload"</button>
            </form>
        </Show>
    }
}

/// The sentence for an upload refused without JavaScript (`?__path=/api/upload&__err={kind}`):
/// a fixed one per kind, so a link cannot put words of its own on the page.
pub fn upload_refusal(kind: &str) -> &'static str {
    match kind {
        "file_too_large" => "That file is larger than this chat accepts.",
        "storage_full" => {
            "The chat has no room for more files right now. Ask its operator, or try again later."
        }
        "rate_limited" => "You are uploading too fast. Please wait a minute and try again.",
        "invalid_input" => {
            "Send the files you have uploaded, or take some out, before adding more."
        }
        "forbidden" => "You cannot post files in this room.",
        "unauthorized" => "Sign in (or sign up) to post files here.",
        _ => "The file could not be uploaded. Please try again.",
    }
}

/// The composer's file picker ("Attach files", also a drop target and a paste target with
/// the text box; see `Composer`), shown once the page runs its script: uploading needs it.
#[component]
pub fn AttachButton(error: RwSignal<Option<String>>) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let on_change = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let input = event
                .target()
                .and_then(|target| target.dyn_into::<leptos::web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                crate::client::uploads::add_files(state, input.files(), error);
                // The same file may be picked again.
                input.set_value("");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, state, error);
    };
    view! {
        <label class="attach-button" title="Attach files (or drop or paste them here)">
            <span aria-hidden="true">"📎"</span>
            <span class="visually-hidden">"Attach files"</span>
            <input type="file" multiple class="visually-hidden" on:change=on_change />
        </label>
    }
}

/// The files waiting in the composer: each with its progress, or why it failed, and a
/// button that takes it out. The form carries their ids (`attachments`) for a page without
/// JavaScript.
#[component]
pub fn ComposerFiles() -> impl IntoView {
    let state = expect_context::<RoomState>();
    view! {
        <input type="hidden" name="attachments" value=move || state.attaching.uploaded_ids() />
        <Show when=move || state.attaching.any()>
            <ul class="composer-files" aria-label="Files to send">
                <For
                    each=move || state.attaching.list()
                    key=|file| (file.key, file.done.is_some(), file.failed.clone(), file.percent / 5)
                    children=move |file| view! { <ComposerFile file /> }
                />
            </ul>
        </Show>
    }
}

#[component]
fn ComposerFile(file: Attaching) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let key = file.key;
    let status = match (&file.failed, &file.done) {
        (Some(reason), _) => view! { <span class="file-failed" role="alert">{reason.clone()}</span> }.into_any(),
        (None, Some(_)) => view! { <span class="file-meta">{human_size(file.size)}</span> }.into_any(),
        (None, None) => view! {
            <progress max="100" value=file.percent aria-label=format!("Uploading {}", file.name)></progress>
        }
        .into_any(),
    };
    let thumb = file
        .done
        .as_ref()
        .filter(|done| done.is_image())
        .and_then(|done| done.thumb_url.clone())
        .map(|src| view! { <img class="file-thumb" src=src alt="" /> });
    // Without JavaScript, × is a link to the room holding the other files.
    let without = move || {
        let others = state.attaching.list();
        let ids: Vec<&str> = others
            .iter()
            .filter(|other| other.key != key)
            .filter_map(|other| other.done.as_ref().map(|done| done.id.as_str()))
            .collect();
        format!("/r/{}?attach={}", state.room(), ids.join(","))
    };
    view! {
        <li class="composer-file" class:failed=file.failed.is_some() class:ready=file.done.is_some()>
            {thumb}
            <span class="file-name">{file.name.clone()}</span>
            {status}
            <a
                role="button"
                class="remove-file"
                href=without
                aria-label=format!("Remove {}", file.name)
                title="Remove"
                on:click=move |event| {
                    event.prevent_default();
                    #[cfg(feature = "hydrate")]
                    crate::client::uploads::remove(state, key);
                }
            >
                "×"
            </a>
        </li>
    }
}
