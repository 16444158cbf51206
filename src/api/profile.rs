//! The display name.

use crate::error::ChatError;
use leptos::prelude::*;

/// Changes the session's display name (stored in the signed session cookie) and shows the
/// new name to every room the person is online in. Answers the accepted, trimmed name.
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
    let session = Session {
        user_id: current.user_id,
        name: name.clone(),
    };
    let response = use_context::<leptos_axum::ResponseOptions>().ok_or(ChatError::Internal)?;
    let cookie = state.sessions.cookie(&session).ok_or(ChatError::Internal)?;
    response.append_header(axum::http::header::SET_COOKIE, cookie);
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
