//! Accounts: signing up (a guest becomes an account, keeping its user id and everything it
//! had), signing in and out, who the request's person is, and the account's sessions (each
//! a signed-in device), which can be ended one by one.

use crate::domain::{Role, UserId};
use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// An account, as signing up or in answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
}

/// Who the request's person is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: UserId,
    pub name: String,
    /// `None` for a guest.
    pub role: Option<Role>,
    pub guest: bool,
}

/// One signed-in device of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    /// The session this request came with.
    pub current: bool,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub last_seen: i64,
    pub user_agent: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionList {
    pub sessions: Vec<SessionInfo>,
}

/// Makes the request's guest an account called `name` (same user id: its messages, rooms
/// and read marks stay), signed in on this device. 409 when the name is taken (ignoring
/// case and compatibility forms).
#[server(endpoint = "sign_up")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "sign_up", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_up(name: String, password: String) -> Result<AccountInfo, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::{AccountName, Password};
    use crate::server::access::accounts::{hash_password, name_key};
    use crate::server::access::limits::Action;
    use crate::server::store::{AccountRefusal, NewAccount};

    let Call { state, session } = Call::signing_in(Action::Write)?;
    if !session.is_guest() {
        return Err(ChatError::Conflict(
            "You are signed in already: sign out to make another account.".into(),
        ));
    }
    let name = AccountName::parse(&name)?;
    let password = Password::parse(&password)?;
    let key = name_key(&name);
    if state.store.account_by_name(&key).await?.is_some() {
        return Err(name_taken());
    }
    let new = NewAccount {
        user_id: session.user_id.clone(),
        name: name.clone(),
        name_key: key,
        password_hash: hash_password(password).await?,
        at: now_millis(),
    };
    let role = match state.store.create_account(new).await? {
        Ok(role) => role,
        Err(AccountRefusal::NameTaken) => return Err(name_taken()),
        Err(AccountRefusal::AlreadyAnAccount) => {
            return Err(ChatError::Conflict(
                "This browser belongs to an account already: sign in instead.".into(),
            ))
        }
    };
    let info = AccountInfo {
        user_id: session.user_id.clone(),
        name: name.to_string(),
        role,
    };
    if let Some(book) = state.sessions.book() {
        book.now_an_account(&info.user_id);
    }
    sessions::open(&state, &info).await?;
    // The rooms they joined, and the people online with them, know the new name.
    let person = crate::domain::OnlineUser {
        id: info.user_id.clone(),
        name: info.name.clone(),
    };
    state
        .presence
        .on_this_node()
        .rename(&person.id, &person.name);
    if let Err(error) = state.store.rename_member(&person).await {
        tracing::warn!(%error, "could not rename the new account in its rooms");
    }
    Ok(info)
}

/// Signs this device in to the account called `name`. A wrong password and an unknown name
/// answer alike (401); after too many failures for the name or from the address, 429.
#[server(endpoint = "sign_in")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "sign_in", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_in(name: String, password: String) -> Result<AccountInfo, ChatError> {
    use super::server_context::{client_address, Call};
    use crate::domain::{AccountName, Password};
    use crate::server::access::accounts::{name_key, verify_password};
    use std::time::Instant;

    let Call { state, .. } = Call::signing_in(crate::server::access::limits::Action::Write)?;
    let wrong = || ChatError::Unauthorized("That name and password do not match.".into());
    // A name or password that could never be an account's is simply wrong.
    let (Ok(name), Ok(password)) = (AccountName::parse(&name), Password::parse(&password)) else {
        return Err(wrong());
    };
    let key = name_key(&name);
    let mut keys = vec![format!("name:{key}")];
    if let Some(address) = client_address(&state) {
        keys.push(format!("address:{address}"));
    }
    // Counted as a failure until it succeeds, so attempts at once cannot outrun the brake.
    let began = Instant::now();
    state.sign_ins.begin(&keys, began)?;
    let account = state.store.account_by_name(&key).await?;
    if account
        .as_ref()
        .is_some_and(|account| state.restrictions.is_banned(&account.user_id))
    {
        return Err(super::server_context::banned());
    }
    // An unknown name costs a verification too, so timing does not tell names apart.
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verified = verify_password(password, stored).await?;
    let Some(account) = account.filter(|_| verified) else {
        return Err(wrong());
    };
    state.sign_ins.succeeded(&keys, began);
    let info = AccountInfo {
        user_id: account.user_id,
        name: account.name,
        role: account.role,
    };
    sessions::open(&state, &info).await?;
    // Whoever used this browser before (a guest, another account) leaves nothing behind
    // that this person's pages would show offline.
    sessions::clear_browser_data()?;
    Ok(info)
}

/// Signs this device out: its session ends (its open streams close, on every node) and
/// its cookie is removed. A guest's cookie is removed too (a new guest next time).
#[server(endpoint = "sign_out")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "sign_out", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_out() -> Result<(), ChatError> {
    use super::server_context::Call;

    let Call { state, session } = Call::reading()?;
    if let Some(signed_in) = &session.signed_in {
        sessions::end(&state, &session.user_id, &signed_in.session_id).await?;
    }
    sessions::remove_cookie(&state)?;
    sessions::clear_browser_data()
}

/// Who the request's person is: an account, or a guest.
#[server(endpoint = "me", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "me", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn get_me() -> Result<Me, ChatError> {
    use super::server_context::Call;

    let Call { session, .. } = Call::reading()?;
    Ok(Me {
        user_id: session.user_id.clone(),
        name: session.name.to_string(),
        role: session.signed_in.as_ref().map(|s| s.role),
        guest: session.is_guest(),
    })
}

/// The account's sessions, newest first, this one marked. 401 for a guest.
#[server(endpoint = "sessions", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "sessions", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn list_sessions() -> Result<SessionList, ChatError> {
    use super::server_context::Call;

    let Call { state, session } = Call::reading()?;
    let current = sessions::signed_in(&session)?;
    let sessions = state
        .store
        .sessions_of(&session.user_id)
        .await?
        .into_iter()
        .map(|stored| SessionInfo {
            current: stored.id == current,
            id: stored.id,
            created_at: stored.created_at,
            last_seen: stored.last_seen,
            user_agent: stored.user_agent,
        })
        .collect();
    Ok(SessionList { sessions })
}

/// Ends one of the account's sessions: that device is signed out at once (its cookie no
/// longer works, its open streams close on every node). 404 for anyone else's session.
#[server(endpoint = "end_session")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "end_session", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn end_session(id: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;

    let Call { state, session } = Call::acting(Action::Write)?;
    let current = sessions::signed_in(&session)?;
    let id = id.trim();
    sessions::end(&state, &session.user_id, id).await?;
    if id == current {
        sessions::remove_cookie(&state)?;
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn name_taken() -> ChatError {
    ChatError::Conflict("Someone has that name already: choose another.".into())
}

/// Opening and ending sessions, for the server functions above.
#[cfg(feature = "ssr")]
pub(super) mod sessions {
    use super::AccountInfo;
    use crate::domain::UserId;
    use crate::error::ChatError;
    use crate::server::access::accounts::{open_session, SigningIn};
    use crate::server::access::session::Session;
    use crate::server::node::state::AppState;
    use axum::http::header;
    use leptos::prelude::use_context;

    /// A new session of `account` on this device, and its cookie on the answer.
    pub async fn open(state: &AppState, account: &AccountInfo) -> Result<(), ChatError> {
        let parts = use_context::<axum::http::request::Parts>();
        let who = SigningIn {
            user_id: &account.user_id,
            name: &account.name,
            role: account.role,
            headers: parts.as_ref().map(|parts| &parts.headers),
            now: super::super::server_context::now_millis(),
        };
        let opened = open_session(state.store.as_ref(), &state.sessions, who).await?;
        for id in &opened.ended {
            state.fanout.session_ended(id).await;
        }
        response()?.append_header(header::SET_COOKIE, opened.cookie);
        Ok(())
    }

    /// Ends `user`'s session `id` everywhere; 404 when they have no such session.
    pub async fn end(state: &AppState, user: &UserId, id: &str) -> Result<(), ChatError> {
        if !state.store.end_session(user, id).await? {
            return Err(ChatError::NotFound("There is no such session.".into()));
        }
        state.fanout.session_ended(id).await;
        Ok(())
    }

    /// Removes the session cookie from this browser.
    pub fn remove_cookie(state: &AppState) -> Result<(), ChatError> {
        let removal = state.sessions.removal().ok_or(ChatError::Internal)?;
        response()?.append_header(header::SET_COOKIE, removal);
        Ok(())
    }

    /// Asks the browser to drop what it keeps of the chat for the person who leaves: the
    /// service worker's copies of the pages they saw, the outbox of what they wrote offline
    /// (`Clear-Site-Data`; the cookie goes with `remove_cookie`).
    pub fn clear_browser_data() -> Result<(), ChatError> {
        response()?.insert_header(
            header::HeaderName::from_static("clear-site-data"),
            header::HeaderValue::from_static("\"cache\", \"storage\""),
        );
        Ok(())
    }

    /// The id of the account session `session` is; 401 for a guest.
    pub fn signed_in(session: &Session) -> Result<String, ChatError> {
        session
            .signed_in
            .as_ref()
            .map(|signed_in| signed_in.session_id.clone())
            .ok_or_else(|| ChatError::Unauthorized("Sign in to see your sessions.".into()))
    }

    fn response() -> Result<leptos_axum::ResponseOptions, ChatError> {
        use_context::<leptos_axum::ResponseOptions>().ok_or(ChatError::Internal)
    }
}
