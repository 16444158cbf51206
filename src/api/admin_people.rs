//! What the administrators' page lists and changes about people: every account with its
//! role, who is banned, and making someone an administrator or a member again.

use crate::domain::{Role, UserId};
use crate::error::ChatError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// The most accounts the page lists.
pub const PEOPLE_PAGE: u32 = 1_000;

/// An account as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonInfo {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub banned: bool,
}

/// Someone banned: an account (with its name) or a guest (no name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BannedPerson {
    pub user_id: UserId,
    pub name: Option<String>,
    /// How many networks were banned with them.
    pub addresses: usize,
}

/// `GET /api/admin/people`: accounts oldest first (at most [`PEOPLE_PAGE`]), and who is
/// banned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct People {
    pub accounts: Vec<PersonInfo>,
    pub banned: Vec<BannedPerson>,
}

/// The accounts and the banned, for administrators (403 for anyone else).
#[server(endpoint = "admin/people", input = GetUrl)]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "admin_people", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn get_people() -> Result<People, ChatError> {
    use super::server_context::Call;

    let Call { state, session } = Call::reading()?;
    if session.signed_in.as_ref().map(|s| s.role) != Some(Role::Admin) {
        return Err(ChatError::Forbidden(
            "Only administrators can list people.".into(),
        ));
    }
    let banned_ids = state.store.banned().await?;
    let address_bans = state.store.banned_addresses().await?;
    let accounts: Vec<PersonInfo> = state
        .store
        .accounts(PEOPLE_PAGE)
        .await?
        .into_iter()
        .map(|account| PersonInfo {
            banned: banned_ids.contains(&account.user_id),
            user_id: account.user_id,
            name: account.name,
            role: account.role,
            created_at: account.created_at,
        })
        .collect();
    let mut banned = Vec::with_capacity(banned_ids.len());
    for user_id in banned_ids {
        let name = match accounts.iter().find(|a| a.user_id == user_id) {
            Some(account) => Some(account.name.clone()),
            None => state.store.account(&user_id).await?.map(|a| a.name),
        };
        let addresses = address_bans
            .iter()
            .filter(|ban| ban.user_id == user_id)
            .count();
        banned.push(BannedPerson {
            user_id,
            name,
            addresses,
        });
    }
    Ok(People { accounts, banned })
}

/// Makes account `user` an administrator (`role=admin`) or a member (`role=member`), for
/// administrators (403 otherwise; 404 for no such account; 422 for oneself, so there is
/// always an administrator left). Kept in the audit log.
#[server(endpoint = "set_role")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(name = "set_role", skip_all, fields(user = tracing::field::Empty))
)]
pub async fn set_role(user: String, role: String) -> Result<(), ChatError> {
    use super::server_context::Call;
    use crate::server::access::limits::Action;

    let Call { state, session } = Call::acting(Action::Write)?;
    if session.signed_in.as_ref().map(|s| s.role) != Some(Role::Admin) {
        return Err(ChatError::Forbidden(
            "Only administrators can change roles.".into(),
        ));
    }
    let target = UserId::parse(user.trim())
        .ok_or_else(|| ChatError::Invalid("user is a person's id (32 hex digits).".into()))?;
    let role = Role::parse(role.trim())
        .map_err(|_| ChatError::Invalid("role is admin or member.".into()))?;
    if target == session.user_id {
        return Err(ChatError::Invalid(
            "You cannot change your own role: ask another administrator.".into(),
        ));
    }
    let Some(account) = state.store.account(&target).await? else {
        return Err(ChatError::NotFound("There is no such account.".into()));
    };
    if !state.store.set_role(&target, role).await? {
        return Err(ChatError::NotFound("There is no such account.".into()));
    }
    // Every node reads the account's role again within a second (the session cache).
    let action = match role {
        Role::Admin => "grant_admin",
        Role::Member => "revoke_admin",
    };
    super::admin::audit(&state, &session, action, target.to_string(), account.name).await;
    Ok(())
}
