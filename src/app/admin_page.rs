//! `/admin`, for administrators: ban someone (opened from a message's "Ban…" with
//! `?ban={user id}&name={name}`), every account with its role (made administrator or
//! member here), who is banned (lifted here), and the audit log, newest first. Plain forms
//! posting to the server functions, as the account page.

use super::time_format::{self, ViewClock};
use super::url_query;
use super::Hydrated;
use crate::api::{
    get_audit, get_me, get_people, BanUser, BannedPerson, PersonInfo, SetRole, UnbanUser,
};
use crate::domain::{AuditEntry, Role, UserId};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminPage() -> impl IntoView {
    let hydrated = Hydrated::provide();
    let me = Resource::new(|| (), |()| get_me());
    view! {
        <Title text="Administration · Chat" />
        <main class="account-page admin-page" data-hydrated=move || hydrated.get().to_string()>
            <header class="room-header">
                <a class="back" href="/" rel="external" aria-label="Back to the rooms">
                    "←"
                </a>
                <h1>"Administration"</h1>
            </header>
            <Suspense fallback=|| view! { <p class="page-message">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(me) if me.role == Some(Role::Admin) => view! { <Administration me=me.user_id /> }.into_any(),
                        Ok(_) => view! {
                            <p class="page-message">"Only administrators can see this page."</p>
                        }.into_any(),
                        Err(error) => view! { <p class="composer-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The actions, and what they change: the lists are read again after each.
#[derive(Clone, Copy)]
struct Actions {
    ban: ServerAction<BanUser>,
    unban: ServerAction<UnbanUser>,
    set_role: ServerAction<SetRole>,
}

impl Actions {
    fn version(self) -> usize {
        self.ban.version().get() + self.unban.version().get() + self.set_role.version().get()
    }

    /// The last refusal among them, in a sentence.
    fn refusal(self) -> Option<String> {
        let error = |answer: Option<Result<(), crate::error::ChatError>>| {
            answer.and_then(Result::err).map(|e| e.to_string())
        };
        error(self.ban.value().get())
            .or_else(|| error(self.unban.value().get()))
            .or_else(|| error(self.set_role.value().get()))
    }
}

/// What an administrator (`me`) sees and does.
#[component]
fn Administration(me: UserId) -> impl IntoView {
    let actions = Actions {
        ban: ServerAction::new(),
        unban: ServerAction::new(),
        set_role: ServerAction::new(),
    };
    let me = StoredValue::new(me);
    let people = Resource::new(move || actions.version(), |_| get_people());
    let audit = Resource::new(move || actions.version(), |_| get_audit());
    view! {
        <p class="composer-error" role="alert">{move || actions.refusal()}</p>
        <BanForm actions />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(people) => view! {
                        <section class="account-section" aria-labelledby="people-title">
                            <h2 id="people-title">"Accounts"</h2>
                            <ul class="session-list">
                                {people.accounts.into_iter().map(|person| {
                                    let mine = me.with_value(|me| &person.user_id == me);
                                    view! { <PersonRow person mine actions /> }
                                }).collect_view()}
                            </ul>
                        </section>
                        <section class="account-section" aria-labelledby="banned-title">
                            <h2 id="banned-title">"Banned"</h2>
                            {people.banned.is_empty().then(|| view! { <p class="account-hint">"Nobody."</p> })}
                            <ul class="session-list">
                                {people.banned.into_iter().map(|person| view! { <BannedRow person actions /> }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <p class="composer-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <section class="account-section" aria-labelledby="audit-title">
            <h2 id="audit-title">"Audit log"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match audit.await {
                        Ok(log) => view! {
                            <ol class="audit-log">
                                {log.entries.into_iter().map(|entry| view! { <AuditRow entry /> }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(error) => view! { <p class="composer-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Ban NAME", when the page was opened to ban someone: optionally with the addresses
/// they wrote from.
#[component]
fn BanForm(actions: Actions) -> impl IntoView {
    let query = use_query_map();
    let asked = move || {
        query.with(|query| {
            let user = query.get("ban")?;
            let name = query.get("name").unwrap_or_else(|| "this person".into());
            Some((user, name))
        })
    };
    move || {
        asked().map(|(user, name)| {
            view! {
                <section class="account-section" aria-labelledby="ban-title">
                    <h2 id="ban-title">"Ban " {name}</h2>
                    <p class="account-hint">
                        "Their sessions end and their streams close at once; they can neither sign in nor post."
                    </p>
                    <ActionForm action=actions.ban attr:class="account-form">
                        <input type="hidden" name="user" value=user />
                        <label class="checkbox-label">
                            <input type="checkbox" name="address" value="true" />
                            " Also ban the addresses they wrote from"
                        </label>
                        <button type="submit">"Ban"</button>
                    </ActionForm>
                </section>
            }
        })
    }
}

/// An account: its role, made the other here (not one's own); banned or not.
#[component]
fn PersonRow(person: PersonInfo, mine: bool, actions: Actions) -> impl IntoView {
    let hydrated = use_context::<Hydrated>();
    let created = person.created_at;
    let since = move || {
        let view = ViewClock::of(hydrated);
        time_format::stamp(view.wall(created), view.now())
    };
    let (other_role, change_label) = match person.role {
        Role::Admin => ("member", format!("Make {} a member", person.name)),
        Role::Member => ("admin", format!("Make {} an administrator", person.name)),
    };
    let id = person.user_id.to_string();
    let ban_href = format!("/admin?ban={id}&name={}", url_query::encode(&person.name));
    view! {
        <li class="session-row">
            <span class="session-device">{person.name.clone()}</span>
            <span class="session-times">" · " {person.role.as_str()} " · since " {since}</span>
            {person.banned.then(|| view! { <span class="session-current">" (banned)"</span> })}
            {mine.then(|| view! { <span class="session-current">" (you)"</span> })}
            {(!mine).then(|| view! {
                <ActionForm action=actions.set_role attr:class="session-end">
                    <input type="hidden" name="user" value=id.clone() />
                    <input type="hidden" name="role" value=other_role />
                    <button type="submit" class="secondary">{change_label}</button>
                </ActionForm>
            })}
            {(!mine && !person.banned).then(|| view! { <a href=ban_href rel="external">"Ban…"</a> })}
        </li>
    }
}

/// Someone banned (a guest shows by id), with "Lift".
#[component]
fn BannedRow(person: BannedPerson, actions: Actions) -> impl IntoView {
    let id = person.user_id.to_string();
    let who = person
        .name
        .clone()
        .unwrap_or_else(|| format!("a guest ({})", &id[..8.min(id.len())]));
    let addresses = match person.addresses {
        0 => String::new(),
        1 => " · with 1 address".to_owned(),
        n => format!(" · with {n} addresses"),
    };
    let label = format!("Lift the ban on {who}");
    view! {
        <li class="session-row">
            <span class="session-device">{who}</span>
            <span class="session-times">{addresses}</span>
            <ActionForm action=actions.unban attr:class="session-end">
                <input type="hidden" name="user" value=id />
                <button type="submit" aria-label=label>"Lift"</button>
            </ActionForm>
        </li>
    }
}

/// One moderation action: when, who, what, on whom.
#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let hydrated = use_context::<Hydrated>();
    let at = entry.at;
    let when = move || {
        let view = ViewClock::of(hydrated);
        time_format::stamp(view.wall(at), view.now())
    };
    let on = if entry.detail.is_empty() {
        entry.subject
    } else {
        entry.detail
    };
    view! {
        <li class="audit-entry">
            <time datetime=time_format::utc_iso(at)>{when}</time>
            " · " <strong>{entry.actor_name}</strong> " · " <code>{entry.action}</code> " · " {on}
        </li>
    }
}
