//! The audit log: every moderation action, who took it, on what, and when, for
//! administrators to read.

use serde::{Deserialize, Serialize};

/// One moderation action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// Who took it: a user id, or `operator` for the command line.
    pub actor: String,
    /// Their name then.
    pub actor_name: String,
    /// What: `delete_message`, `grant_admin`, `revoke_admin`, …
    pub action: String,
    /// On what: `room/seq` for a message, a user id for a person, a room's name.
    pub subject: String,
    /// Anything else worth keeping (whose message it was, say).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}
