//! Passkeys: an account adds one (named, at most 20) and signs in with it instead of its
//! password, on any device that holds it. Each ceremony is two calls: `…_start` answers the
//! options for the browser's `navigator.credentials` and a `ceremony` token, `…_finish`
//! takes the browser's answer (its `toJSON()`, as text) with that token, once.

use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// The longest name of a passkey.
pub const PASSKEY_NAME_CHARS: usize = 40;

/// A ceremony begun: what the browser is asked, and what finishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyCeremony {
    /// The token `…_finish` takes (once, within 5 minutes).
    pub ceremony: String,
    /// The `publicKey` options as JSON, for `PublicKeyCredential.parse…OptionsFromJSON`.
    pub options: String,
}

/// A passkey as its account sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    /// Its credential id (base64url).
    pub id: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub last_used: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyList {
    pub passkeys: Vec<PasskeyInfo>,
}

/// Begins adding a passkey to the caller's account, given its current `password` (a stolen
/// cookie or API token alone cannot add a way in). 401 for a guest or a wrong password
/// (braked as signing in is); 422 past 20 passkeys.
#[server(endpoint = "passkey_register_start")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "passkey_register_start", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn passkey_register_start(password: String) -> Result<PasskeyCeremony, ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;
    use crate::server::access::passkeys::{relying_party, user_handle};
    use crate::server::store::MAX_PASSKEYS;

    let Call { state, session } = Call::acting(Action::Write)?;
    if session.signed_in.is_none() {
        return Err(ChatError::Unauthorized("Sign in to add a passkey.".into()));
    }
    super::password::current_password(&state, &session.user_id, &password).await?;
    let existing = state.store.passkeys_of(&session.user_id).await?;
    if existing.len() >= MAX_PASSKEYS {
        return Err(ChatError::Invalid(format!(
            "An account keeps at most {MAX_PASSKEYS} passkeys: remove one first."
        )));
    }
    let exclude = existing
        .iter()
        .filter_map(|stored| read::passkey(&stored.passkey).ok())
        .map(|passkey| passkey.cred_id().clone())
        .collect();
    let party = relying_party(&read::origin(&state))?;
    let name = session.name.to_string();
    let (options, ceremony) = party
        .start_passkey_registration(user_handle(&session.user_id), &name, &name, Some(exclude))
        .map_err(read::failed)?;
    read::begun(&state, &session.user_id, &ceremony, &options.public_key).await
}

/// Finishes adding the passkey the browser made (`credential`: its `toJSON()`), called
/// `name`. 422 when it does not verify or the ceremony is over; 409 for one registered
/// already.
#[server(endpoint = "passkey_register_finish")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "passkey_register_finish", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn passkey_register_finish(
    ceremony: String,
    credential: String,
    name: String,
) -> Result<PasskeyInfo, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::server::access::limits::Action;
    use crate::server::access::passkeys::{relying_party, take};
    use crate::server::store::StoredPasskey;
    use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential};

    let Call { state, session } = Call::acting(Action::Write)?;
    let name = passkey_name(&name)?;
    let now = now_millis();
    let over = || ChatError::Invalid("That passkey could not be added: try again.".into());
    let Some((user, ceremony)) = take(state.store.as_ref(), &ceremony, now).await? else {
        return Err(over());
    };
    if session.signed_in.is_none() || user != session.user_id {
        return Err(over());
    }
    let ceremony: PasskeyRegistration = serde_json::from_str(&ceremony).map_err(|_| over())?;
    let answer: RegisterPublicKeyCredential =
        serde_json::from_str(&credential).map_err(|_| over())?;
    let party = relying_party(&read::origin(&state))?;
    let passkey = party
        .finish_passkey_registration(&answer, &ceremony)
        .map_err(|error| {
            tracing::info!(%error, "a passkey did not verify");
            over()
        })?;
    let stored = StoredPasskey {
        id: read::credential_id(passkey.cred_id()),
        user_id: user,
        name,
        passkey: read::to_json(&passkey)?,
        created_at: now,
        last_used: None,
    };
    if !state.store.add_passkey(&stored).await? {
        return Err(ChatError::Conflict(
            "That passkey is registered already.".into(),
        ));
    }
    tracing::info!("a passkey was added");
    Ok(info(stored))
}

/// Begins signing in as `name` with a passkey. A name that is no account's, or an account
/// with no passkey, answers 401 alike; a banned account 403.
#[server(endpoint = "passkey_sign_in_start")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "passkey_sign_in_start", skip_all)
)]
pub async fn passkey_sign_in_start(name: String) -> Result<PasskeyCeremony, ChatError> {
    use super::server_context::Call;
    use crate::domain::AccountName;
    use crate::server::access::accounts::name_key;
    use crate::server::access::limits::Action;
    use crate::server::access::passkeys::relying_party;

    let Call { state, .. } = Call::signing_in(Action::Write)?;
    let none = || ChatError::Unauthorized("No passkey signs in to that name.".into());
    let name = AccountName::parse(&name).map_err(|_| none())?;
    let Some(account) = state.store.account_by_name(&name_key(&name)).await? else {
        return Err(none());
    };
    if state.restrictions.is_banned(&account.user_id) {
        return Err(super::server_context::banned());
    }
    let passkeys: Vec<_> = state
        .store
        .passkeys_of(&account.user_id)
        .await?
        .iter()
        .filter_map(|stored| read::passkey(&stored.passkey).ok())
        .collect();
    if passkeys.is_empty() {
        return Err(none());
    }
    let party = relying_party(&read::origin(&state))?;
    let (options, ceremony) = party
        .start_passkey_authentication(&passkeys)
        .map_err(read::failed)?;
    read::begun(&state, &account.user_id, &ceremony, &options.public_key).await
}

/// Finishes signing in with the passkey the browser used (`credential`: its `toJSON()`):
/// the account and a new session cookie, as `sign_in` answers. 401 when it does not verify
/// (counted like a wrong password: 429 after 10 a minute); 403 for a banned account.
#[server(endpoint = "passkey_sign_in_finish")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "passkey_sign_in_finish", skip_all)
)]
pub async fn passkey_sign_in_finish(
    ceremony: String,
    credential: String,
) -> Result<super::AccountInfo, ChatError> {
    use super::server_context::{client_address, now_millis, Call};
    use crate::server::access::limits::Action;
    use crate::server::access::passkeys::{relying_party, take};
    use std::time::Instant;
    use webauthn_rs::prelude::{PasskeyAuthentication, PublicKeyCredential};

    let Call { state, .. } = Call::signing_in(Action::Write)?;
    let refused = || ChatError::Unauthorized("That passkey did not sign you in.".into());
    let now = now_millis();
    let Some((user, ceremony)) = take(state.store.as_ref(), &ceremony, now).await? else {
        return Err(refused());
    };
    let mut keys = vec![format!("passkey:{user}")];
    if let Some(address) = client_address(&state) {
        keys.push(format!("address:{address}"));
    }
    let began = Instant::now();
    state.sign_ins.begin(&keys, began)?;
    let ceremony: PasskeyAuthentication = serde_json::from_str(&ceremony).map_err(|_| refused())?;
    let answer: PublicKeyCredential = serde_json::from_str(&credential).map_err(|_| refused())?;
    let party = relying_party(&read::origin(&state))?;
    let result = party
        .finish_passkey_authentication(&answer, &ceremony)
        .map_err(|error| {
            tracing::info!(%error, "a passkey sign-in did not verify");
            refused()
        })?;
    let used = read::credential_id(result.cred_id());
    let Some(stored) = state
        .store
        .passkeys_of(&user)
        .await?
        .into_iter()
        .find(|stored| stored.id == used)
    else {
        return Err(refused());
    };
    let mut passkey = read::passkey(&stored.passkey).map_err(|_| ChatError::Internal)?;
    passkey.update_credential(&result);
    state
        .store
        .passkey_used(&stored.id, &read::to_json(&passkey)?, now)
        .await?;
    let Some(account) = state.store.account(&user).await? else {
        return Err(refused());
    };
    if state.restrictions.is_banned(&account.user_id) {
        return Err(super::server_context::banned());
    }
    state.sign_ins.succeeded(&keys, began);
    let info = super::AccountInfo {
        user_id: account.user_id,
        name: account.name,
        role: account.role,
    };
    super::accounts::sessions::open(&state, &info).await?;
    tracing::info!(user = %info.user_id, "signed in with a passkey");
    Ok(info)
}

/// The caller's passkeys, oldest first (401 for a guest).
#[server(endpoint = "passkeys", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "passkeys", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn list_passkeys() -> Result<PasskeyList, ChatError> {
    use super::server_context::Call;

    let Call { state, session } = Call::reading()?;
    if session.signed_in.is_none() {
        return Err(ChatError::Unauthorized(
            "Sign in to see your passkeys.".into(),
        ));
    }
    let passkeys = state.store.passkeys_of(&session.user_id).await?;
    Ok(PasskeyList {
        passkeys: passkeys.into_iter().map(info).collect(),
    })
}

/// Removes one of the caller's passkeys: it signs nobody in from then on. 404 when they
/// have none by that id.
#[server(endpoint = "remove_passkey")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "remove_passkey", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn remove_passkey(id: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;

    let Call { state, session } = Call::acting(Action::Write)?;
    if !state
        .store
        .remove_passkey(&session.user_id, id.trim())
        .await?
    {
        return Err(ChatError::NotFound("There is no such passkey.".into()));
    }
    Ok(())
}

/// A passkey's name as given: trimmed, 1 to 40 characters ("Passkey" when empty).
pub fn passkey_name(raw: &str) -> Result<String, ChatError> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Ok("Passkey".to_owned()),
        n if n > PASSKEY_NAME_CHARS => Err(ChatError::Invalid(format!(
            "A passkey's name is at most {PASSKEY_NAME_CHARS} characters."
        ))),
        _ => Ok(name.to_owned()),
    }
}

#[cfg(feature = "ssr")]
fn info(stored: crate::server::store::StoredPasskey) -> PasskeyInfo {
    PasskeyInfo {
        id: stored.id,
        name: stored.name,
        created_at: stored.created_at,
        last_used: stored.last_used,
    }
}

/// Between `webauthn-rs` and the store and the request.
#[cfg(feature = "ssr")]
mod read {
    use crate::error::ChatError;
    use crate::server::node::state::AppState;
    use base64::Engine;
    use webauthn_rs::prelude::{CredentialID, Passkey, WebauthnError};

    /// The origin people reach the chat at, as this request shows it.
    pub fn origin(state: &AppState) -> String {
        let headers = leptos::prelude::use_context::<axum::http::request::Parts>()
            .map(|parts| parts.headers)
            .unwrap_or_default();
        state.sessions.public_origin(&headers)
    }

    pub fn passkey(json: &str) -> Result<Passkey, serde_json::Error> {
        serde_json::from_str(json)
    }

    pub fn credential_id(id: &CredentialID) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_slice())
    }

    pub fn to_json(value: &impl serde::Serialize) -> Result<String, ChatError> {
        serde_json::to_string(value).map_err(|error| {
            tracing::error!(%error, "passkeys: could not encode");
            ChatError::Internal
        })
    }

    /// Keeps a ceremony's state (`ceremony`) for `user` and answers what the browser is
    /// asked (`public_key`) with the token that finishes it.
    pub async fn begun(
        state: &AppState,
        user: &crate::domain::UserId,
        ceremony: &impl serde::Serialize,
        public_key: &impl serde::Serialize,
    ) -> Result<super::PasskeyCeremony, ChatError> {
        use crate::server::access::passkeys::begin;
        let now = super::super::server_context::now_millis();
        let ceremony = begin(state.store.as_ref(), user, to_json(ceremony)?, now).await?;
        Ok(super::PasskeyCeremony {
            ceremony,
            options: to_json(public_key)?,
        })
    }

    pub fn failed(error: WebauthnError) -> ChatError {
        tracing::error!(%error, "passkeys: could not begin");
        ChatError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::passkey_name;

    #[test]
    fn a_passkey_is_named_as_given_or_passkey() {
        assert_eq!(passkey_name("  Laptop ").expect("ok"), "Laptop");
        assert_eq!(passkey_name("").expect("ok"), "Passkey");
        assert!(passkey_name(&"x".repeat(41)).is_err());
    }
}
