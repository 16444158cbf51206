//! Accounts and their sessions, kept by the store beside the rooms. Every
//! [`Store`](super::Store) is also this.
//!
//! An account takes over the user id of the guest who signed up, so the guest's messages,
//! rooms and read marks are the account's without moving anything. A session is a random id
//! the store keeps (the cookie carries it, signed), so it can be listed and ended.

use super::StoreError;
use crate::domain::{AccountName, AuditEntry, Role, RoomName, UserId};
use async_trait::async_trait;

/// An account as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    /// The PHC string of the password's argon2id hash.
    pub password_hash: String,
    pub created_at: i64,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// An account to create.
pub struct NewAccount {
    pub user_id: UserId,
    pub name: AccountName,
    /// The name as compared for uniqueness (`access::accounts::name_key`).
    pub name_key: String,
    pub password_hash: String,
    pub at: i64,
}

/// Why an account was not created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRefusal {
    /// Another account has this name (ignoring case and compatibility forms).
    NameTaken,
    /// This user id is an account already.
    AlreadyAnAccount,
}

/// A signed-in device: what the sessions page lists, and what a cookie's id leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// 32 hex digits, random.
    pub id: String,
    pub user_id: UserId,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub last_seen: i64,
    /// As the browser sent it when signing in (cut to 256 characters).
    pub user_agent: String,
}

/// The accounts of people, and their sessions.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates the account; the first on a store is an administrator, the others members.
    /// Its role, or why not (and nothing changes).
    async fn create_account(
        &self,
        account: NewAccount,
    ) -> Result<Result<Role, AccountRefusal>, StoreError>;

    /// The account whose folded name is `name_key`.
    async fn account_by_name(&self, name_key: &str) -> Result<Option<Account>, StoreError>;

    /// The account of `user`, if they have one.
    async fn account(&self, user: &UserId) -> Result<Option<Account>, StoreError>;

    /// The accounts, oldest first, at most `limit` (the administrators' page).
    async fn accounts(&self, limit: u32) -> Result<Vec<Account>, StoreError>;

    /// `user`'s account is called `name` now: `false` (and nothing changes) when another
    /// account has that name.
    async fn rename_account(
        &self,
        user: &UserId,
        name: &AccountName,
        name_key: &str,
    ) -> Result<bool, StoreError>;

    async fn create_session(&self, session: &StoredSession) -> Result<(), StoreError>;

    /// The session `id`, unless it ended.
    async fn session(&self, id: &str) -> Result<Option<StoredSession>, StoreError>;

    /// Session `id` was used at `at`.
    async fn touch_session(&self, id: &str, at: i64) -> Result<(), StoreError>;

    /// `user`'s sessions, newest first.
    async fn sessions_of(&self, user: &UserId) -> Result<Vec<StoredSession>, StoreError>;

    /// Ends `user`'s session `id`: `false` when they have no such session.
    async fn end_session(&self, user: &UserId, id: &str) -> Result<bool, StoreError>;

    /// `user`'s password is the one hashed as `password_hash` now: `false` when they have no
    /// account.
    async fn set_password(&self, user: &UserId, password_hash: &str) -> Result<bool, StoreError>;

    /// `user`'s account has `role` now: `false` when they have no account.
    async fn set_role(&self, user: &UserId, role: Role) -> Result<bool, StoreError>;

    /// Adds a moderation action to the audit log.
    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// The newest `limit` entries of the audit log, newest first.
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;

    /// `user` is banned from now on (an account or a guest's id).
    async fn ban(&self, user: &UserId, at: i64) -> Result<(), StoreError>;

    /// `user` is banned no more: `false` when they were not.
    async fn unban(&self, user: &UserId) -> Result<bool, StoreError>;

    /// Everyone banned.
    async fn banned(&self) -> Result<Vec<UserId>, StoreError>;

    /// `room` is read-only (but for who moderates it) from now on, or no longer.
    async fn set_locked(&self, room: &RoomName, locked: bool, at: i64) -> Result<(), StoreError>;

    /// Every locked room.
    async fn locked_rooms(&self) -> Result<Vec<RoomName>, StoreError>;
}
