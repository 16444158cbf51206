//! "API tokens": make a token for a script (shown once), see each one's last use, revoke.

use super::use_times::UseTimes;
use crate::api::{list_tokens, ApiTokenInfo, CreateToken, RevokeToken, TOKEN_NAME_CHARS};
use leptos::prelude::*;

#[component]
pub fn ApiTokensPanel() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let made = move || create.value().get().and_then(Result::ok);
    let refused = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    };
    view! {
        <section class="account-section" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p class="account-hint">
                "A script sends " <code>"Authorization: Bearer …"</code>
                " with a token to act as you on the JSON API."
            </p>
            <ActionForm action=create attr:class="account-form">
                <label for="token-name">"Name"</label>
                <input id="token-name" name="name" maxlength=TOKEN_NAME_CHARS required placeholder="backup script" />
                <button type="submit">"Make a token"</button>
            </ActionForm>
            <p class="composer-error" role="alert">{refused}</p>
            {move || made().map(|made| view! {
                <div class="new-token">
                    <label for="new-token">"Your new token (shown only now: copy it)"</label>
                    <input id="new-token" class="device-link-url" readonly value=made.token />
                </div>
            })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) => view! {
                            <ul class="session-list">
                                {list.tokens.into_iter().map(|token| view! { <TokenRow token revoke /> }).collect_view()}
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
fn TokenRow(token: ApiTokenInfo, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let label = format!("Revoke the token {}", token.name);
    view! {
        <li class="session-row">
            <span class="session-device">{token.name}</span>
            <UseTimes made=Some(("made", token.created_at)) used=token.last_used />
            <ActionForm action=revoke attr:class="session-end">
                <input type="hidden" name="id" value=token.id />
                <button type="submit" aria-label=label>"Revoke"</button>
            </ActionForm>
        </li>
    }
}
