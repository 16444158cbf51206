//! `/account`: a guest signs up (keeping everything they had) or signs in; someone signed
//! in sees their account and every device signed in to it, and can end any of them or sign
//! out. Plain forms posting to the server functions, so it works without JavaScript; with
//! it, the page reloads after a change of who is signed in, so every part of the app sees
//! the new person.

use super::api_tokens_panel::ApiTokensPanel;
use super::device_link_panel::DeviceLinkPanel;
use super::passkeys_panel::{PasskeySignIn, PasskeysPanel};
use super::password_panel::PasswordPanel;
use super::push_panel::PushPanel;
use super::time_format::{self, ViewClock};
use super::Hydrated;
use crate::api::{get_me, list_sessions, EndSession, Me, SessionInfo, SignIn, SignOut, SignUp};
use crate::domain::{Nickname, Password};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let hydrated = Hydrated::provide();
    let me = Resource::new(|| (), |()| get_me());
    view! {
        <Title text="Your account · Chat" />
        <main class="account-page" data-hydrated=move || hydrated.get().to_string()>
            <header class="room-header">
                <a class="back" href="/" rel="external" aria-label="Back to the rooms">
                    "←"
                </a>
                <h1>"Your account"</h1>
            </header>
            <Suspense fallback=|| view! { <p class="page-message">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(me) if me.guest => view! { <SignUpOrIn me /> }.into_any(),
                        Ok(me) => view! { <SignedIn me /> }.into_any(),
                        Err(error) => view! { <p class="composer-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// A guest's choice: make an account of this browser's guest, or sign in to one.
#[component]
fn SignUpOrIn(me: Me) -> impl IntoView {
    let sign_up = ServerAction::<SignUp>::new();
    let sign_in = ServerAction::<SignIn>::new();
    reload_when(move || matches!(sign_up.value().get(), Some(Ok(_))));
    reload_when(move || matches!(sign_in.value().get(), Some(Ok(_))));
    let sign_up_refused = move || refusal(sign_up.value().get());
    let sign_in_refused = move || refusal(sign_in.value().get());
    view! {
        <section class="account-section" aria-labelledby="sign-up-title">
            <h2 id="sign-up-title">"Sign up"</h2>
            <p class="account-hint">
                "You are " <strong>{me.name}</strong>
                ", a guest. An account keeps your messages, rooms and unread counts, on every device you sign in on."
            </p>
            <ActionForm action=sign_up attr:class="account-form">
                <Credentials id="sign-up" new_password=true />
                <button type="submit">"Sign up"</button>
                <p class="composer-error" role="alert">{sign_up_refused}</p>
            </ActionForm>
        </section>
        <section class="account-section" aria-labelledby="sign-in-title">
            <h2 id="sign-in-title">"Sign in"</h2>
            <ActionForm action=sign_in attr:class="account-form">
                <Credentials id="sign-in" new_password=false />
                <button type="submit">"Sign in"</button>
                <p class="composer-error" role="alert">{sign_in_refused}</p>
            </ActionForm>
            <PasskeySignIn name_field="sign-in-name" />
        </section>
        <PushPanel />
    }
}

/// A name and a password, their fields' ids starting with `id`: a new password (signing
/// up) must be long enough, and the browser offers to remember it; a current one is
/// whatever the person typed.
#[component]
fn Credentials(id: &'static str, new_password: bool) -> impl IntoView {
    let (name_id, password_id) = (format!("{id}-name"), format!("{id}-password"));
    view! {
        <label for=name_id.clone()>"Name"</label>
        <input id=name_id name="name" maxlength=Nickname::MAX_CHARS autocomplete="username" required />
        <label for=password_id.clone()>"Password"</label>
        <input
            id=password_id
            name="password"
            type="password"
            minlength=new_password.then_some(Password::MIN_CHARS)
            maxlength=Password::MAX_CHARS
            autocomplete=if new_password { "new-password" } else { "current-password" }
            required
        />
    }
}

/// The account, its devices, and signing out.
#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let sessions = Resource::new(|| (), |()| list_sessions());
    let sign_out = ServerAction::<SignOut>::new();
    let end_session = ServerAction::<EndSession>::new();
    reload_when(move || matches!(sign_out.value().get(), Some(Ok(_))));
    Effect::new(move |_| {
        if let Some(Ok(())) = end_session.value().get() {
            sessions.refetch();
        }
    });
    let role = me.role.map(|role| role.as_str()).unwrap_or_default();
    view! {
        <section class="account-section" aria-labelledby="account-title">
            <h2 id="account-title">{me.name}</h2>
            <p class="account-hint">"Signed in · " {role}</p>
            {(me.role == Some(crate::domain::Role::Admin)).then(|| view! {
                <p><a href="/admin" rel="external">"Administration"</a></p>
            })}
            <ActionForm action=sign_out attr:class="account-form">
                <button type="submit">"Sign out"</button>
            </ActionForm>
        </section>
        <DeviceLinkPanel />
        <section class="account-section" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Signed in on"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <ul class="session-list">
                                {list.sessions.into_iter().map(|session| view! { <SessionRow session end_session /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="composer-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <PasswordPanel changed=Callback::new(move |()| sessions.refetch()) />
        <PasskeysPanel />
        <PushPanel />
        <ApiTokensPanel />
    }
}

/// One signed-in device: what browser, since when, last seen; "End" signs it out.
#[component]
fn SessionRow(session: SessionInfo, end_session: ServerAction<EndSession>) -> impl IntoView {
    let hydrated = use_context::<Hydrated>();
    let (created, seen) = (session.created_at, session.last_seen);
    let when = move |at: i64| {
        let view = ViewClock::of(hydrated);
        time_format::stamp(view.wall(at), view.now())
    };
    let device = describe(&session.user_agent);
    let end_label = format!("End the session on {device}");
    view! {
        <li class="session-row" class:current=session.current>
            <span class="session-device">{device}</span>
            {session.current.then(|| view! { <span class="session-current">" (this device)"</span> })}
            <span class="session-times">
                " · since " {move || when(created)} " · last seen " {move || when(seen)}
            </span>
            <ActionForm action=end_session attr:class="session-end">
                <input type="hidden" name="id" value=session.id />
                <button type="submit" aria-label=end_label>
                    "End"
                </button>
            </ActionForm>
        </li>
    }
}

/// "Firefox on Linux" from a user agent, or the agent itself when it says little.
fn describe(agent: &str) -> String {
    let browser = ["Firefox", "Edg", "Chrome", "Safari"]
        .into_iter()
        .find(|name| agent.contains(name))
        .map(|name| if name == "Edg" { "Edge" } else { name });
    let system = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"]
        .into_iter()
        .find(|name| agent.contains(name))
        .map(|name| if name == "Mac OS" { "macOS" } else { name });
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        _ if agent.is_empty() => "an unknown device".to_owned(),
        _ => agent.chars().take(60).collect(),
    }
}

/// The sentence of a refused answer, if it was refused.
fn refusal<T>(answer: Option<Result<T, crate::error::ChatError>>) -> Option<String> {
    answer.and_then(Result::err).map(|e| e.to_string())
}

/// With JavaScript: reloads the page once `done` turns true (who is signed in changed).
fn reload_when(done: impl Fn() -> bool + 'static) {
    Effect::new(move |_| {
        if done() {
            #[cfg(feature = "hydrate")]
            crate::client::reload_page();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn a_device_is_named_by_its_browser_and_system() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0";
        assert_eq!(describe(firefox), "Firefox on Linux");
        let chrome =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/128.0 Mobile Safari/537.36";
        assert_eq!(describe(chrome), "Chrome on Android");
        assert_eq!(describe(""), "an unknown device");
        assert_eq!(describe("curl/8.5.0"), "curl/8.5.0");
    }
}
