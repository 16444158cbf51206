//! Passkeys on the account page: add one made on this device (named), see each one's last
//! use, remove one; and, for a guest, sign in with one instead of a password. Both need
//! JavaScript (the browser's `navigator.credentials`); without it the buttons say so.

use super::use_times::UseTimes;
use crate::api::{list_passkeys, AccountInfo, PasskeyInfo, RemovePasskey, PASSKEY_NAME_CHARS};
use leptos::prelude::*;

/// The account's passkeys, and "Add a passkey".
#[component]
pub fn PasskeysPanel() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let add = Action::new_local(move |(name, password): &(String, String)| {
        add_passkey(name.clone(), password.clone())
    });
    let remove = ServerAction::<RemovePasskey>::new();
    let passkeys = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| list_passkeys(),
    );
    let outcome = move || match add.value().get() {
        Some(Ok(added)) => Some(("account-hint", format!("Added the passkey {}.", added.name))),
        Some(Err(error)) => Some(("composer-error", error)),
        None => None,
    };
    view! {
        <section class="account-section" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">"Passkeys"</h2>
            <p class="account-hint">
                "A passkey signs you in with this device's screen lock or a security key, instead of your password."
            </p>
            <form class="account-form" on:submit=move |event| {
                event.prevent_default();
                add.dispatch((name.get_untracked(), password.get_untracked()));
                password.set(String::new());
            }>
                <label for="passkey-name">"Name of the passkey"</label>
                <input
                    id="passkey-name"
                    maxlength=PASSKEY_NAME_CHARS
                    placeholder="Laptop"
                    prop:value=move || name.get()
                    on:input=move |event| name.set(event_target_value(&event))
                />
                <label for="passkey-password">"Your password"</label>
                <input
                    id="passkey-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |event| password.set(event_target_value(&event))
                />
                <button type="submit" disabled=move || add.pending().get()>"Add a passkey"</button>
            </form>
            {move || outcome().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match passkeys.await {
                        Ok(list) => view! {
                            <ul class="session-list">
                                {list.passkeys.into_iter().map(|passkey| view! { <PasskeyRow passkey remove /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="composer-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PasskeyRow(passkey: PasskeyInfo, remove: ServerAction<RemovePasskey>) -> impl IntoView {
    let label = format!("Remove the passkey {}", passkey.name);
    view! {
        <li class="session-row">
            <span class="session-device">{passkey.name}</span>
            <UseTimes made=Some(("added", passkey.created_at)) used=passkey.last_used />
            <ActionForm action=remove attr:class="session-end">
                <input type="hidden" name="id" value=passkey.id />
                <button type="submit" aria-label=label>"Remove"</button>
            </ActionForm>
        </li>
    }
}

/// "Sign in with a passkey", for the name in the sign-in form's field `name_field`; once
/// it works, the page reloads as the account.
#[component]
pub fn PasskeySignIn(name_field: &'static str) -> impl IntoView {
    let sign_in = Action::new_local(move |name: &String| passkey_sign_in(name.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            #[cfg(feature = "hydrate")]
            crate::client::reload_page();
        }
    });
    let refused = move || sign_in.value().get().and_then(Result::err);
    view! {
        <button
            type="button"
            class="secondary passkey-sign-in"
            disabled=move || sign_in.pending().get()
            on:click=move |_| {
                sign_in.dispatch(field_value(name_field));
            }
        >
            "Sign in with a passkey"
        </button>
        <p class="composer-error" role="alert">{refused}</p>
    }
}

/// The current text of the input `id` (what the person typed).
fn field_value(id: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        document()
            .get_element_by_id(id)
            .and_then(|field| field.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|field| field.value())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        String::new()
    }
}

async fn add_passkey(name: String, password: String) -> Result<PasskeyInfo, String> {
    #[cfg(feature = "hydrate")]
    return crate::client::passkeys::add(name, password).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (name, password);
        Err(NEEDS_SCRIPT.to_owned())
    }
}

async fn passkey_sign_in(name: String) -> Result<AccountInfo, String> {
    #[cfg(feature = "hydrate")]
    return crate::client::passkeys::sign_in(name).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = name;
        Err(NEEDS_SCRIPT.to_owned())
    }
}

#[cfg(not(feature = "hydrate"))]
const NEEDS_SCRIPT: &str = "Passkeys need JavaScript.";
