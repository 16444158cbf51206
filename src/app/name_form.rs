use crate::api::SetName;
use crate::domain::Nickname;
use crate::room::RoomState;
use leptos::prelude::*;

/// The person's display name, and a form to change it. A `<details>` element, so it opens
/// and submits with the keyboard and without JavaScript.
#[component]
pub fn NameForm() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let set_name = ServerAction::<SetName>::new();
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(name)) = set_name.value().get() {
            state.viewer.update(|viewer| viewer.name = name);
            open.set(false);
        }
    });
    let error = move || {
        set_name
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <details class="name-form" prop:open=move || open.get() on:toggle=move |event| {
            let now_open = event_target::<leptos::web_sys::HtmlDetailsElement>(&event).open();
            open.set(now_open);
        }>
            <summary>
                <span class="visually-hidden">"You are "</span>
                <span class="viewer-name">{move || state.viewer.with(|v| v.name.clone())}</span>
                <span class="name-form-hint">" · change name"</span>
            </summary>
            <ActionForm action=set_name attr:class="name-form-body">
                <label for="name-input">"Display name"</label>
                <input
                    id="name-input"
                    name="name"
                    value=state.viewer.get_untracked().name
                    maxlength=Nickname::MAX_CHARS
                    autocomplete="nickname"
                    required
                />
                <button type="submit">"Save"</button>
                <p class="composer-error" role="alert">{error}</p>
            </ActionForm>
        </details>
    }
}
