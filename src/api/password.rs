//! Changing an account's password: the current one first (guesses are braked as signing in
//! is), then every other session of the account ends, on every node: a device someone
//! else signed in on is out. This device stays signed in.

use crate::error::ChatError;
use leptos::prelude::*;

/// Changes the caller's password from `current` to `new` (at least 8 characters) and ends
/// every other session of the account. 401 for a guest or a wrong current password; 429
/// after too many wrong ones.
#[server(endpoint = "change_password")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "change_password", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn change_password(current: String, new: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::domain::Password;
    use crate::server::access::accounts::hash_password;
    use crate::server::access::limits::Action;

    let Call { state, session } = Call::acting(Action::Write)?;
    let Some(signed_in) = &session.signed_in else {
        return Err(ChatError::Unauthorized(
            "Sign in to change your password.".into(),
        ));
    };
    let new = Password::parse(&new)?;
    current_password(&state, &session.user_id, &current).await?;
    let hash = hash_password(new).await?;
    if !state.store.set_password(&session.user_id, &hash).await? {
        return Err(ChatError::Internal);
    }
    for other in state.store.sessions_of(&session.user_id).await? {
        if other.id != signed_in.session_id
            && state.store.end_session(&session.user_id, &other.id).await?
        {
            state.fanout.session_ended(&other.id).await;
        }
    }
    tracing::info!("password changed; the account's other sessions ended");
    Ok(())
}

/// Checks that `given` is `user`'s current password, braked as signing in is (the
/// account's and the address's failures count): 401 when it is not, 429 past 10 a minute.
/// What a signed-in device needs before changing what signs in (the password, passkeys).
#[cfg(feature = "ssr")]
pub(super) async fn current_password(
    state: &crate::server::node::state::AppState,
    user: &crate::domain::UserId,
    given: &str,
) -> Result<(), ChatError> {
    use super::server_context::client_address;
    use crate::domain::Password;
    use crate::server::access::accounts::verify_password;
    use std::time::Instant;

    let wrong = || ChatError::Unauthorized("That is not your current password.".into());
    let mut keys = vec![format!("user:{user}")];
    if let Some(address) = client_address(state) {
        keys.push(format!("address:{address}"));
    }
    let began = Instant::now();
    state.sign_ins.begin(&keys, began)?;
    let account = state
        .store
        .account(user)
        .await?
        .ok_or(ChatError::Internal)?;
    let given = Password::parse(given).map_err(|_| wrong())?;
    if !verify_password(given, Some(account.password_hash)).await? {
        return Err(wrong());
    }
    state.sign_ins.succeeded(&keys, began);
    Ok(())
}
