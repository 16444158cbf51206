//! "Webhooks", for who moderates the room: make an incoming webhook (its URL shown once),
//! see each one's last use, revoke.

use super::use_times::UseTimes;
use crate::api::{list_webhooks, CreateWebhook, RevokeWebhook, WebhookInfo};
use crate::domain::Nickname;
use crate::room::RoomState;
use leptos::prelude::*;

#[component]
pub fn WebhooksPanel() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let room = state.room();
    let create = ServerAction::<CreateWebhook>::new();
    let revoke = ServerAction::<RevokeWebhook>::new();
    let listed_room = room.clone();
    let hooks = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        move |_| list_webhooks(listed_room.clone()),
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
        <details class="webhooks">
            <summary>"Webhooks"</summary>
            <p class="account-hint">
                "A script POSTs JSON " <code>"{\"text\": \"…\"}"</code> " to a webhook's URL; it shows here from the webhook's name, marked as a bot."
            </p>
            <ActionForm action=create attr:class="account-form">
                <input type="hidden" name="room" value=room />
                <label for="webhook-name">"Name"</label>
                <input id="webhook-name" name="name" maxlength=Nickname::MAX_CHARS required placeholder="CI" />
                <button type="submit">"Make a webhook"</button>
            </ActionForm>
            <p class="composer-error" role="alert">{refused}</p>
            {move || made().map(|made| view! {
                <label for="new-webhook">"Its URL (shown only now: copy it)"</label>
                <input id="new-webhook" class="device-link-url" readonly value=full_url(&made.url) />
            })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    hooks.await.ok().map(|list| view! {
                        <ul class="session-list">
                            {list.webhooks.into_iter().map(|hook| view! { <WebhookRow hook revoke /> }).collect_view()}
                        </ul>
                    })
                })}
            </Suspense>
        </details>
    }
}

#[component]
fn WebhookRow(hook: WebhookInfo, revoke: ServerAction<RevokeWebhook>) -> impl IntoView {
    let label = format!("Revoke the webhook {}", hook.name);
    view! {
        <li class="session-row">
            <span class="session-device">{hook.name}</span>
            <UseTimes made=None used=hook.last_used />
            <ActionForm action=revoke attr:class="session-end">
                <input type="hidden" name="id" value=hook.id />
                <button type="submit" aria-label=label>"Revoke"</button>
            </ActionForm>
        </li>
    }
}

/// The webhook's path with this page's origin, to paste into a script.
fn full_url(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
        return format!("{origin}{path}");
    }
    path.to_owned()
}
