//! Writing to a room: send, edit, delete, and the "is typing" signal.

use crate::domain::{ChatMessage, MessageDelete, MessageEdit, Seq};
use crate::error::ChatError;
use leptos::prelude::*;

/// Stores a message in `room` as the session's user and broadcasts it to every open stream
/// of the room. Sending twice with the same `client_id` stores one message and answers both
/// times with it. With `reply_to`, it answers that message (same room, not deleted). With
/// `mentions` (comma-separated user ids), it mentions those of them who joined the room and
/// whom the body names as `@name`, by the name the room knows them by; others are dropped.
/// With `attachments` (comma-separated upload ids, at most 10: each uploaded by this person
/// to this room and not sent yet), it carries those files, and its text may be empty.
#[server(endpoint = "send_message")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "send_message", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn send_message(
    room: String,
    body: String,
    client_id: Option<String>,
    reply_to: Option<Seq>,
    mentions: Option<String>,
    attachments: Option<String>,
) -> Result<ChatMessage, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::{
        mentioned_in, parse_attachment_ids, parse_mentioned_ids, ClientId, MessageBody,
    };
    use crate::server::access::limits::Action;
    use crate::server::store::{Appended, NewMessage};

    let started = std::time::Instant::now();
    let (Call { state, session }, room) =
        Call::acting(Action::Write)?.in_room_to_write(&room).await?;
    // Known public with messages, it stays so; otherwise the store looks again as it writes.
    let recheck_access = !state.access.known_public(&room);
    let attachments = parse_attachment_ids(attachments.as_deref().unwrap_or_default())?;
    // A message of files may have no words.
    let body = match attachments.is_empty() {
        true => MessageBody::parse(&body)?,
        false => MessageBody::parse_beside_attachments(&body)?,
    };
    let client_id = ClientId::parse_optional(client_id.as_deref())?;
    let meant = parse_mentioned_ids(mentions.as_deref().unwrap_or_default())?;
    if let Some(original) = reply_to {
        match state.store.message(&room, original).await? {
            None => {
                return Err(ChatError::NotFound(
                    "The message you reply to is not in this room.".into(),
                ))
            }
            Some(message) if message.deleted => {
                return Err(ChatError::NotFound(
                    "The message you reply to was deleted.".into(),
                ))
            }
            Some(_) => {}
        }
    }
    let mentions = match meant.is_empty() {
        true => Vec::new(),
        false => mentioned_in(
            body.as_str(),
            &state.store.members_among(&room, &meant).await?,
        ),
    };
    // Stored here; once committed, the store hands it to delivery (`CommittedEvents`: the
    // hub, or with Redis the room's channel) before this call returns.
    let appended = state
        .store
        .append(NewMessage {
            room,
            author_id: session.user_id,
            author: session.name,
            body,
            sent_at: now_millis(),
            client_id,
            reply_to,
            mentions,
            recheck_access,
            bot: false,
            attachments,
        })
        .await??;
    if let Appended::New(message) = &appended {
        tracing::debug!(room = %message.room, seq = %message.seq, "message stored");
        state.push.message_sent(message);
    }
    crate::server::metrics::send_took(started.elapsed());
    Ok(appended.into_message())
}

/// Changes the text of one's own message `seq` in `room`; everyone sees "(edited)".
/// Another user's message answers 403 and changes nothing.
#[server(endpoint = "edit_message")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "edit_message", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn edit_message(room: String, seq: Seq, body: String) -> Result<MessageEdit, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::MessageBody;
    use crate::server::access::limits::Action;
    use crate::server::store::EditRequest;

    let (Call { state, session }, room) =
        Call::acting(Action::Write)?.in_room_to_write(&room).await?;
    let edit = EditRequest {
        room,
        target: seq,
        by: session.user_id,
        body: MessageBody::parse(&body)?,
        at: now_millis(),
    };
    Ok(state.store.edit(edit).await??)
}

/// Deletes message `seq` in `room`; everyone sees "message deleted", and it leaves search
/// and export. One's own message, or, for who moderates the room (an administrator, the
/// room's creator), anyone's: that goes to the audit log. Anyone else's 403.
#[server(endpoint = "delete_message")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "delete_message", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn delete_message(room: String, seq: Seq) -> Result<MessageDelete, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::domain::AuditEntry;
    use crate::server::access::limits::Action;
    use crate::server::store::{DeleteRequest, Refusal};

    let (Call { state, session }, room) =
        Call::acting(Action::Write)?.in_room_to_write(&room).await?;
    let delete = DeleteRequest {
        room: room.clone(),
        target: seq,
        by: session.user_id.clone(),
        at: now_millis(),
        as_moderator: false,
    };
    let role = session.signed_in.as_ref().map(|signed_in| signed_in.role);
    match state.store.delete(delete.clone()).await? {
        Err(Refusal::NotYours)
            if state
                .access
                .moderates(&session.user_id, role, &room)
                .await? =>
        {
            let author = state.store.message(&room, seq).await?.map(|m| m.author);
            let deleted = state
                .store
                .delete(DeleteRequest {
                    as_moderator: true,
                    ..delete
                })
                .await??;
            let entry = AuditEntry {
                at: deleted.deleted_at,
                actor: session.user_id.to_string(),
                actor_name: session.name.to_string(),
                action: "delete_message".into(),
                subject: format!("{room}/{seq}"),
                detail: author
                    .map(|name| format!("written by {name}"))
                    .unwrap_or_default(),
            };
            if let Err(error) = state.store.record_audit(&entry).await {
                tracing::error!(%error, "could not write a moderator's delete to the audit log");
            }
            Ok(deleted)
        }
        answer => Ok(answer?),
    }
}

/// Tells the room that the session's user is typing. Ephemeral: nothing is stored.
#[server(endpoint = "typing")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "typing", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn notify_typing(room: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::domain::{EventKind, Typing};
    use crate::server::access::limits::Action;

    let (Call { state, session }, room) = Call::acting(Action::Typing)?
        .in_room_to_write(&room)
        .await?;
    let user = session.as_online_user();
    state
        .fanout
        .ephemeral(&room.clone(), EventKind::Typing, &Typing { room, user })
        .await;
    Ok(())
}
