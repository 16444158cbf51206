//! What administrators read: the audit log of moderation actions.

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
/// on they can neither sign in, nor write, nor open a page or a stream (403).
#[server(endpoint = "ban_user")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "ban_user", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn ban_user(user: String) -> Result<(), ChatError> {
    use super::server_context::{now_millis, Call};
    use crate::server::access::limits::Action;
    use crate::server::http::routes::room_stream::person_key;

    let Call { state, session } = Call::acting(Action::Write)?;
    let target = moderation::target(&session, &user)?;
    state.store.ban(&target, now_millis()).await?;
    state.bans.refresh().await?;
    for stored in state.store.sessions_of(&target).await? {
        if state.store.end_session(&target, &stored.id).await? {
            state.fanout.session_ended(&stored.id).await;
        }
    }
    state.fanout.session_ended(&person_key(&target)).await;
    moderation::audit(&state, &session, "ban_user", &target).await;
    Ok(())
}

/// Lifts `user`'s ban, for administrators (403 for anyone else; 404 when not banned).
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
    if !state.store.unban(&target).await? {
        return Err(ChatError::NotFound("That person is not banned.".into()));
    }
    state.bans.refresh().await?;
    moderation::audit(&state, &session, "unban_user", &target).await;
    Ok(())
}

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

    /// Writes `action` on `target` to the audit log (a failure is logged, not answered).
    pub async fn audit(state: &AppState, session: &Session, action: &str, target: &UserId) {
        let name = match state.store.account(target).await {
            Ok(Some(account)) => account.name,
            _ => String::new(),
        };
        let entry = AuditEntry {
            at: super::super::server_context::now_millis(),
            actor: session.user_id.to_string(),
            actor_name: session.name.to_string(),
            action: action.into(),
            subject: target.to_string(),
            detail: name,
        };
        if let Err(error) = state.store.record_audit(&entry).await {
            tracing::error!(%error, "could not write to the audit log");
        }
    }
}
