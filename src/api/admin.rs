//! What administrators do: read the audit log of moderation actions, ban and unban people
//! (and the addresses they wrote from), lock rooms.

use crate::domain::AuditEntry;
use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// The newest moderation actions, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
}

/// The most entries one answer carries.
pub const AUDIT_PAGE: u32 = 500;

/// The audit log, for administrators (403 for anyone else).
#[server(endpoint = "admin/audit", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "audit", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn get_audit() -> Result<AuditLog, ChatError> {
    use super::server_context::Call;
    use crate::domain::Role;

    let Call { state, session } = Call::reading()?;
    if session.signed_in.as_ref().map(|s| s.role) != Some(Role::Admin) {
        return Err(ChatError::Forbidden(
            "Only administrators can read the audit log.".into(),
        ));
    }
    Ok(AuditLog {
        entries: state.store.audit_log(AUDIT_PAGE).await?,
    })
}

/// Bans `user` (a person's id, an account's or a guest's), for administrators (403 for
/// anyone else): their sessions end, their open streams close on every node, and from then
/// on they can neither sign in, nor write, nor open a page or a stream (403). With
/// `address=true`, the networks they wrote from lately are banned too (an IPv6 address by
/// its /64): nothing from there is served, whoever asks; 422 when that would ban the
/// administrator's own.
#[server(endpoint = "ban_user")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "ban_user", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn ban_user(user: String, address: Option<String>) -> Result<(), ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::server::access::limits::Action;
    use crate::server::http::routes::room_stream::person_key;

    let Call { state, session } = Call::acting(Action::Write)?;
    let target = moderation::target(&session, &user)?;
    let nets = match address.as_deref().map(str::trim) {
        None | Some("" | "false" | "off" | "0") => Vec::new(),
        Some("true" | "on" | "1") => moderation::nets_to_ban(&state, &session, &target).await?,
        Some(_) => return Err(ChatError::Invalid("address is true or false.".into())),
    };
    let at = now_millis();
    state.store.ban(&target, at).await?;
    state.store.ban_addresses(&target, &nets, at).await?;
    state.restrictions.refresh().await?;
    for stored in state.store.sessions_of(&target).await? {
        if state.store.end_session(&target, &stored.id).await? {
            state.fanout.session_ended(&stored.id).await;
        }
    }
    state.fanout.session_ended(&person_key(&target)).await;
    let name = moderation::name_of(&state, &target).await;
    let detail = match nets.len() {
        0 => name,
        count => {
            let who = if name.is_empty() { "a guest" } else { &name };
            let plural = if count == 1 { "" } else { "es" };
            format!("{who}, with {count} address{plural}")
        }
    };
    moderation::audit(&state, &session, "ban_user", target.to_string(), detail).await;
    Ok(())
}

/// Lifts `user`'s ban, and the address bans that came with it, for administrators (403
/// for anyone else; 404 when not banned).
#[server(endpoint = "unban_user")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "unban_user", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn unban_user(user: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;

    let Call { state, session } = Call::acting(Action::Write)?;
    let target = moderation::target(&session, &user)?;
    let nets = state.store.unban_addresses_of(&target).await?;
    if !state.store.unban(&target).await? && nets == 0 {
        return Err(ChatError::NotFound("That person is not banned.".into()));
    }
    state.restrictions.refresh().await?;
    let name = moderation::name_of(&state, &target).await;
    moderation::audit(&state, &session, "unban_user", target.to_string(), name).await;
    Ok(())
}

/// Whether a room is locked, as `lock_room` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomLock {
    pub room: String,
    pub locked: bool,
}

/// Locks `room` (`locked=true`: read-only but for who moderates it, with a notice on its
/// page) or unlocks it, for administrators and the room's creator (403 otherwise). Every
/// node sees it within a second. A form posted without JavaScript goes back to the room.
#[server(endpoint = "lock_room")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "lock_room", skip_all, fields(room = %room, user = tracing::field::Empty))
)]
pub async fn lock_room(room: String, locked: String) -> Result<RoomLock, ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::server::access::limits::Action;

    let (Call { state, session }, room) = Call::acting(Action::Write)?.in_room(&room).await?;
    let locked = match locked.trim() {
        "true" | "on" | "1" => true,
        "false" | "off" | "0" => false,
        _ => return Err(ChatError::Invalid("locked is true or false.".into())),
    };
    let role = session.signed_in.as_ref().map(|s| s.role);
    if !state
        .access
        .moderates(&session.user_id, role, &room)
        .await?
    {
        return Err(ChatError::Forbidden(
            "Only the room's creator and administrators can lock it.".into(),
        ));
    }
    state.store.set_locked(&room, locked, now_millis()).await?;
    state.restrictions.refresh().await?;
    let action = if locked { "lock_room" } else { "unlock_room" };
    moderation::audit(&state, &session, action, room.to_string(), String::new()).await;
    super::private_rooms::send_forms_to(&format!("/r/{room}"));
    Ok(RoomLock {
        room: room.to_string(),
        locked,
    })
}

#[cfg(feature = "ssr")]
pub(super) use moderation::audit;

/// What administrators' actions share.
#[cfg(feature = "ssr")]
mod moderation {
    use crate::domain::{AuditEntry, Role, UserId};
    use crate::error::ChatError;
    use crate::server::access::session::Session;
    use crate::server::node::state::AppState;

    /// The person an administrator acts on; 403 for anyone but an administrator.
    pub fn target(session: &Session, raw: &str) -> Result<UserId, ChatError> {
        if session.signed_in.as_ref().map(|s| s.role) != Some(Role::Admin) {
            return Err(ChatError::Forbidden(
                "Only administrators can ban people.".into(),
            ));
        }
        let target = UserId::parse(raw.trim())
            .ok_or_else(|| ChatError::Invalid("user is a person's id (32 hex digits).".into()))?;
        if target == session.user_id {
            return Err(ChatError::Invalid("You cannot ban yourself.".into()));
        }
        Ok(target)
    }

    /// The networks `target` wrote from lately, to ban with them; 422 when one is the
    /// administrator's own (they would shut themselves out).
    pub async fn nets_to_ban(
        state: &AppState,
        session: &Session,
        target: &UserId,
    ) -> Result<Vec<String>, ChatError> {
        use crate::server::access::restrictions::net_of;
        // What this node noted lately is written first (the others' within a second).
        state.restrictions.write_notes().await?;
        let nets = state.store.addresses_of(target).await?;
        let own = super::super::server_context::client_ip(state).map(net_of);
        let mine = state.store.addresses_of(&session.user_id).await?;
        if nets
            .iter()
            .any(|net| own.as_ref() == Some(net) || mine.contains(net))
        {
            return Err(ChatError::Invalid(
                "They wrote from an address you use: banning it would shut you out too.".into(),
            ));
        }
        Ok(nets)
    }

    /// An account's name, or nothing for a guest.
    pub async fn name_of(state: &AppState, user: &UserId) -> String {
        match state.store.account(user).await {
            Ok(Some(account)) => account.name,
            _ => String::new(),
        }
    }

    /// Writes `action` on `subject` to the audit log (a failure is logged, not answered).
    pub async fn audit(
        state: &AppState,
        session: &Session,
        action: &str,
        subject: String,
        detail: String,
    ) {
        let entry = AuditEntry {
            at: super::super::server_context::now_millis(),
            actor: session.user_id.to_string(),
            actor_name: session.name.to_string(),
            action: action.into(),
            subject,
            detail,
        };
        if let Err(error) = state.store.record_audit(&entry).await {
            tracing::error!(%error, "could not write to the audit log");
        }
    }
}
