//! Reading rooms: the first page of a room, older pages, and the list of rooms.

use crate::domain::{Attachment, ChatMessage, OnlineUser, Seq};
use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// How many messages a page of history holds (the first render shows the newest page).
pub const PAGE_SIZE: u32 = 50;

/// What a room page needs to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomSnapshot {
    pub room: String,
    /// The newest messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Whether there are messages before the first one here.
    pub has_older: bool,
    /// Opened at a permalink: the message it names (shown highlighted), and whether there
    /// are messages after the last one here (then loaded with `get_newer`).
    #[serde(default)]
    pub focus: Option<Seq>,
    #[serde(default)]
    pub has_newer: bool,
    /// The room's newest event seq: where the live feed resumes from.
    pub cursor: Seq,
    /// Who is looking.
    pub viewer: OnlineUser,
    /// Who is online in the room now (the first 100 by name), and how many in all.
    pub online: Vec<OnlineUser>,
    pub online_count: usize,
    /// Who joined the room (up to 200, by name): whom the composer suggests to mention.
    #[serde(default)]
    pub members: Vec<OnlineUser>,
    /// An idempotency key for the composer's first message.
    pub client_id: String,
    /// The rooms the viewer has joined (this one among them), for the sidebar.
    pub joined: Vec<super::JoinedRoom>,
    /// Set for a private room (with the invite link for its creator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<super::PrivateRoom>,
    /// The viewer moderates the room (may delete anyone's message); left out when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub moderates: bool,
    /// The room is locked: read-only but for who moderates it; left out when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
    /// The viewer administers the chat (may ban people); left out when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub admin: bool,
    /// The room's pinned messages, the most recently pinned first (left out when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<ChatMessage>,
    /// The files asked for with `attach` that the viewer uploaded to this room and has not
    /// sent yet, in that order: the composer holds them (how a page without JavaScript
    /// attaches files; left out when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attaching: Vec<Attachment>,
}

/// A page of newer messages (reading on from a permalink).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewerPage {
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    pub has_newer: bool,
}

/// A page of older messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    pub has_older: bool,
}

/// A room in the room list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomListing {
    pub name: String,
    /// For a direct-message room (listed only to its two people): the other one's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
    /// Milliseconds since the Unix epoch of the newest message.
    pub last_activity: i64,
    pub messages: u64,
    pub online: usize,
}

/// The newest page of `room` (or, with `at`, the messages around message `at`), who is
/// online, and the viewer's identity.
#[server(endpoint = "room", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "room", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn get_room(
    room: String,
    at: Option<Seq>,
    attach: Option<String>,
) -> Result<RoomSnapshot, ChatError> {
    use super::server_context::Call;
    use crate::server::access::session::fresh_client_id;
    use crate::server::http::routes::invites;
    use crate::server::store::{Privacy, MAX_MEMBERS_LISTED};

    let (Call { state, session }, room) = Call::reading()?.in_room(&room).await?;
    // Read the cursor first: anything stored after it reaches the page over the live feed.
    let cursor = state.store.last_seq(&room).await?;
    let window = match at {
        Some(at) => Some(around(state.store.as_ref(), &room, at, &session.user_id).await?),
        None => None,
    };
    let (messages, has_older, has_newer) = match window {
        Some(window) => window,
        None => {
            let (messages, has_older) = page(
                state
                    .store
                    .latest(&room, PAGE_SIZE + 1, Some(&session.user_id))
                    .await?,
            );
            (messages, has_older, false)
        }
    };
    let presence = state.presence.snapshot(&room).await;
    // Opening a room joins it, read up to here. The page is worth more than the mark.
    let viewer = session.as_online_user();
    match state.store.mark_read(&viewer, &room, cursor).await {
        Ok(()) if session.signed_in.is_some() => {
            let mark = crate::domain::ReadMark {
                room: room.clone(),
                seq: cursor,
            };
            state.fanout.read(&session.user_id, mark).await;
        }
        Ok(()) => {}
        Err(error) => tracing::warn!(%error, "could not remember the room as joined and read"),
    }
    let members = state.store.members(&room, MAX_MEMBERS_LISTED).await?;
    let private = match state.access.privacy(&room).await? {
        Privacy::Public { .. } => None,
        Privacy::Private {
            creator,
            invite_version,
            ..
        } => Some(super::PrivateRoom {
            // A direct-message room has no invite link.
            invite: (creator == session.user_id && !room.is_direct())
                .then(|| invites::path(state.sessions.signer(), &room, invite_version)),
        }),
    };
    let joined = super::joined::joined_rooms(state.store.as_ref(), &session.user_id).await?;
    let pins = state.store.pins(&room, Some(&session.user_id)).await?;
    let role = session.signed_in.as_ref().map(|signed_in| signed_in.role);
    let moderates = state
        .access
        .moderates(&session.user_id, role, &room)
        .await?;
    let attaching = unsent_uploads(&state, &session.user_id, &room, attach.as_deref()).await?;
    Ok(RoomSnapshot {
        room: room.to_string(),
        messages,
        has_older,
        focus: at,
        has_newer,
        cursor,
        viewer,
        online: presence.online,
        online_count: presence.count,
        members,
        client_id: fresh_client_id().as_str().to_owned(),
        joined,
        private,
        moderates,
        locked: state.restrictions.is_locked(&room),
        admin: role == Some(crate::domain::Role::Admin),
        pins,
        attaching,
    })
}

/// Of the uploads `ids` names (a comma-separated list, as `send_message` takes them), those
/// `owner` uploaded to `room` and has not sent yet, in that order. Ids that are malformed,
/// someone else's, sent or gone are left out without a word.
#[cfg(feature = "ssr")]
async fn unsent_uploads(
    state: &crate::server::node::state::AppState,
    owner: &crate::domain::UserId,
    room: &crate::domain::RoomName,
    ids: Option<&str>,
) -> Result<Vec<Attachment>, ChatError> {
    let mut files = Vec::new();
    let ids = ids.unwrap_or_default().split(',').map(str::trim);
    for id in ids
        .filter_map(crate::domain::UploadId::parse)
        .take(crate::domain::MAX_ATTACHMENTS)
    {
        let Some(upload) = state.store.upload(&id).await? else {
            continue;
        };
        let unsent = upload.message.is_none() && !upload.removed;
        let repeated = files.iter().any(|file: &Attachment| file.id == id);
        if unsent && &upload.owner == owner && &upload.room == room && !repeated {
            files.push(upload.file);
        }
    }
    Ok(files)
}

/// The page of messages just before `before` in `room` (scroll-back).
#[server(endpoint = "history", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "history", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn get_history(room: String, before: Seq) -> Result<HistoryPage, ChatError> {
    use super::server_context::Call;

    let (Call { state, session }, room) = Call::reading()?.in_room(&room).await?;
    let viewer = Some(&session.user_id);
    let (messages, has_older) = page(
        state
            .store
            .before(&room, before, PAGE_SIZE + 1, viewer)
            .await?,
    );
    Ok(HistoryPage {
        messages,
        has_older,
    })
}

/// The page of messages just after `after` in `room` (reading on from a permalink).
#[server(endpoint = "newer", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "newer", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn get_newer(room: String, after: Seq) -> Result<NewerPage, ChatError> {
    use super::server_context::Call;

    let (Call { state, session }, room) = Call::reading()?.in_room(&room).await?;
    let viewer = Some(&session.user_id);
    let mut messages = state
        .store
        .after(&room, after, PAGE_SIZE + 1, viewer)
        .await?;
    let has_newer = messages.len() > PAGE_SIZE as usize;
    messages.truncate(PAGE_SIZE as usize);
    Ok(NewerPage {
        messages,
        has_newer,
    })
}

/// The most recently active public rooms, with how many people are online in each, then
/// the caller's direct-message rooms (nobody else's), newest first.
#[server(endpoint = "rooms", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "rooms", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn list_rooms() -> Result<Vec<RoomListing>, ChatError> {
    use super::server_context::Call;

    let Call { state, session } = Call::reading()?;
    let rooms = state.store.rooms(100).await?;
    let names: Vec<_> = rooms.iter().map(|activity| activity.room.clone()).collect();
    let online = state.presence.online_counts(&names).await;
    let mut listed: Vec<RoomListing> = rooms
        .into_iter()
        .zip(online)
        .map(|(activity, online)| RoomListing {
            online,
            name: activity.room.to_string(),
            with: None,
            last_activity: activity.last_activity,
            messages: activity.messages,
        })
        .collect();
    listed.extend(direct_rooms(&state, &session.user_id).await?);
    Ok(listed)
}

/// `user`'s direct-message rooms as the room list shows them, newest first.
#[cfg(feature = "ssr")]
async fn direct_rooms(
    state: &crate::server::node::state::AppState,
    user: &crate::domain::UserId,
) -> Result<Vec<RoomListing>, ChatError> {
    let joined = super::joined::joined_rooms(state.store.as_ref(), user).await?;
    let direct: Vec<super::JoinedRoom> = joined.into_iter().filter(|r| r.with.is_some()).collect();
    let names: Vec<crate::domain::RoomName> = direct
        .iter()
        .filter_map(|r| crate::domain::RoomName::parse(&r.name).ok())
        .collect();
    let counts = state.store.message_counts(&names).await?;
    let mut listed = Vec::with_capacity(names.len());
    for ((room, joined), messages) in names.iter().zip(direct).zip(counts) {
        let newest = state.store.latest(room, 1, Some(user)).await?;
        listed.push(RoomListing {
            name: room.to_string(),
            with: joined.with,
            last_activity: newest.first().map_or(0, |message| message.sent_at),
            messages,
            online: 0,
        });
    }
    listed.sort_by_key(|listing| std::cmp::Reverse(listing.last_activity));
    Ok(listed)
}

/// Half a page before message `at` (and `at` itself), half a page after: the window a
/// permalink opens, with whether more messages lie before and after it. A message that is
/// not stored opens the messages around where it was.
#[cfg(feature = "ssr")]
async fn around(
    store: &dyn crate::server::store::Store,
    room: &crate::domain::RoomName,
    at: Seq,
    viewer: &crate::domain::UserId,
) -> Result<(Vec<ChatMessage>, bool, bool), ChatError> {
    let half = PAGE_SIZE / 2;
    let mut messages = store
        .before(room, at.next(), half + 1, Some(viewer))
        .await?;
    let has_older = messages.len() > half as usize;
    if has_older {
        messages.remove(0);
    }
    let mut newer = store.after(room, at, half + 1, Some(viewer)).await?;
    let has_newer = newer.len() > half as usize;
    newer.truncate(half as usize);
    messages.extend(newer);
    Ok((messages, has_older, has_newer))
}

/// Splits a read of `PAGE_SIZE + 1` messages into the page and whether more exist.
#[cfg(feature = "ssr")]
fn page(mut messages: Vec<ChatMessage>) -> (Vec<ChatMessage>, bool) {
    let has_older = messages.len() > PAGE_SIZE as usize;
    if has_older {
        messages.remove(0);
    }
    (messages, has_older)
}
