//! "Password": change it (the current one first); every other device signed in to the
//! account is signed out by it.

use crate::api::ChangePassword;
use crate::domain::Password;
use leptos::prelude::*;

/// `changed` runs after a change went through (the list of devices is shorter now).
#[component]
pub fn PasswordPanel(changed: Callback<()>) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            changed.run(());
        }
    });
    let outcome = move || match change.value().get() {
        Some(Ok(())) => Some((
            "account-hint",
            "Password changed. Every other device is signed out.".to_owned(),
        )),
        Some(Err(error)) => Some(("composer-error", error.to_string())),
        None => None,
    };
    view! {
        <section class="account-section" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <ActionForm action=change attr:class="account-form">
                <label for="current-password">"Current password"</label>
                <input
                    id="current-password"
                    name="current"
                    type="password"
                    maxlength=Password::MAX_CHARS
                    autocomplete="current-password"
                    required
                />
                <label for="new-password">"New password"</label>
                <input
                    id="new-password"
                    name="new"
                    type="password"
                    minlength=Password::MIN_CHARS
                    maxlength=Password::MAX_CHARS
                    autocomplete="new-password"
                    required
                />
                <button type="submit">"Change the password"</button>
            </ActionForm>
            {move || outcome().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
        </section>
    }
}
