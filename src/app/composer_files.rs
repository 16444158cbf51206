use crate::domain::human_size;
use crate::room::{Attaching, RoomState};
use leptos::prelude::*;

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
/// button that takes it out.
#[component]
pub fn ComposerFiles() -> impl IntoView {
    let state = expect_context::<RoomState>();
    view! {
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
    view! {
        <li class="composer-file" class:failed=file.failed.is_some() class:ready=file.done.is_some()>
            {thumb}
            <span class="file-name">{file.name.clone()}</span>
            {status}
            <button
                type="button"
                class="remove-file"
                aria-label=format!("Remove {}", file.name)
                title="Remove"
                on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    crate::client::uploads::remove(state, key);
                    #[cfg(not(feature = "hydrate"))]
                    let _ = (state, key);
                }
            >
                "×"
            </button>
        </li>
    }
}
