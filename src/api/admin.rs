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
