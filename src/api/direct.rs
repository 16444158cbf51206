//! Direct messages: a private room of exactly two people, the same one whoever opens it
//! first. Both have it in their sidebar (under "Direct messages"), notified of every
//! message as of a mention; nobody else can see it exists.

use crate::error::ChatError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The direct-message room of the caller and someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectRoom {
    pub room: String,
}

/// Opens (making it, the first time) the direct-message room of the session's person and
/// `user` (a user id): `{"room"}`. `name`, optional, is what the caller knows them by, used
/// for a guest until they open the room themselves (an account is known by its own name).
/// A form posted without JavaScript is sent on to it.
#[server(endpoint = "open_dm")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "open_dm", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn open_dm(user: String, name: Option<String>) -> Result<DirectRoom, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::{DomainError, NotifyLevel, OnlineUser, UserId};
    use crate::server::access::limits::Action;
    use crate::server::access::rooms::direct_room;
    use crate::server::store::Privacy;

    let Call { state, session } = Call::acting(Action::Write)?;
    let other = UserId::parse(user.trim())
        .ok_or_else(|| ChatError::Invalid("user is a person's id (32 hex digits).".into()))?;
    if other == session.user_id {
        return Err(DomainError::DirectToYourself.into());
    }
    let room = direct_room(&session.user_id, &other);
    let me = session.as_online_user();
    state.store.create_private(&room, &me, now_millis()).await?;
    let Privacy::Private {
        creator,
        invite_version,
        ..
    } = state.store.privacy(&room).await?
    else {
        return Err(ChatError::Internal);
    };
    if creator != me.id && creator != other {
        tracing::error!(room = %room, "a direct-message room made by someone else");
        return Err(ChatError::private_room());
    }
    let them = OnlineUser {
        name: match state.store.account(&other).await? {
            Some(account) => account.name,
            None => name
                .as_deref()
                .and_then(|name| crate::domain::Nickname::parse(name).ok())
                .map_or_else(|| "a guest".to_owned(), |name| name.to_string()),
        },
        id: other,
    };
    for person in [&me, &them] {
        if !state.store.is_member(&person.id, &room).await? {
            state
                .store
                .join_by_invite(person, &room, invite_version)
                .await?;
            state
                .store
                .set_notify(&person.id, &room, NotifyLevel::Every)
                .await?;
        }
    }
    super::private_rooms::send_forms_to(&format!("/r/{room}"));
    Ok(DirectRoom {
        room: room.to_string(),
    })
}
