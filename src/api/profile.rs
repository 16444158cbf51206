//! The display name.

use crate::error::ChatError;
use leptos::prelude::*;

/// Changes the person's display name (a guest's lives in its signed cookie, an account's in
/// the store, unique: 409 when taken) and shows the new name to every room the person is
/// online in. Answers the accepted, trimmed name.
#[server(endpoint = "set_name")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "set_name", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn set_name(name: String) -> Result<String, ChatError> {
    use super::server_context::Call;
    use crate::domain::Nickname;
    use crate::server::access::limits::Action;
    use crate::server::access::session::Session;

    let Call {
        state,
        session: current,
    } = Call::acting(Action::Rename)?;
    let name = Nickname::parse(&name)?;
    match &current.signed_in {
        // An account's name is unique, kept by the store; its cookie names only the session.
        Some(signed_in) => {
            use crate::domain::AccountName;
            use crate::server::access::accounts::name_key;
            let account_name = AccountName::parse(name.as_str())?;
            let key = name_key(&account_name);
            if !state
                .store
                .rename_account(&current.user_id, &account_name, &key)
                .await?
            {
                return Err(ChatError::Conflict(
                    "Someone has that name already: choose another.".into(),
                ));
            }
            if let Some(book) = state.sessions.book() {
                book.forget(&signed_in.session_id);
            }
        }
        // A guest's name lives in its signed cookie; it may not pass for an account's.
        None => {
            use crate::domain::AccountName;
            use crate::server::access::accounts::name_key;
            if let Ok(as_account) = AccountName::parse(name.as_str()) {
                if state
                    .store
                    .account_by_name(&name_key(&as_account))
                    .await?
                    .is_some()
                {
                    return Err(ChatError::Conflict(
                        "An account has that name: choose another.".into(),
                    ));
                }
            }
            let renamed = Session {
                name: name.clone(),
                ..current.clone()
            };
            let response =
                use_context::<leptos_axum::ResponseOptions>().ok_or(ChatError::Internal)?;
            let cookie = state.sessions.cookie(&renamed).ok_or(ChatError::Internal)?;
            response.append_header(axum::http::header::SET_COOKIE, cookie);
        }
    }
    let session = Session {
        name: name.clone(),
        ..current
    };
    state
        .presence
        .on_this_node()
        .rename(&session.user_id, name.as_str());
    // The rooms they joined know them by the new name (whom a mention of them names).
    if let Err(error) = state.store.rename_member(&session.as_online_user()).await {
        tracing::warn!(%error, "could not rename the person in the rooms they joined");
    }
    Ok(name.to_string())
}
