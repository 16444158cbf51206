use crate::domain::Seq;
use leptos::html::Textarea;
use leptos::prelude::*;

/// Editing one's own message in place: Enter (or Save) saves, Escape (or Cancel) cancels.
#[component]
pub fn MessageEditor(seq: Seq, body: String, editing: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<crate::room::RoomState>();
    let text = NodeRef::<Textarea>::new();
    let error = RwSignal::new(None::<String>);
    let save = move || {
        #[cfg(feature = "hydrate")]
        crate::client::message_actions::save_edit(state, seq, text, editing, error);
        #[cfg(not(feature = "hydrate"))]
        let _ = (state, seq, text);
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(text) = text.get() {
            let _ = text.focus();
        }
    });
    view! {
        <div class="message-editor">
            <label class="visually-hidden" for=format!("edit-{seq}")>
                "Edit message"
            </label>
            <textarea
                id=format!("edit-{seq}")
                node_ref=text
                rows="2"
                on:keydown=move |event| {
                    if event.key() == "Escape" {
                        editing.set(false);
                    } else if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
                        event.prevent_default();
                        save();
                    }
                }
            >
                {body}
            </textarea>
            <div class="message-editor-actions">
                <button type="button" on:click=move |_| save()>
                    "Save"
                </button>
                <button type="button" class="secondary" on:click=move |_| editing.set(false)>
                    "Cancel"
                </button>
            </div>
            <p class="composer-error" role="alert">
                {move || error.get()}
            </p>
        </div>
    }
}
