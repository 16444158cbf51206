//! The Redis store's accounts (keys in `redis_keys.rs`; sessions in `sessions.rs`). Creating an account
//! and renaming one are scripts, so a name is taken once and the first account alone is the
//! administrator, whichever node asks.

use super::batch::Batch;
use super::decode::classify;
use super::RedisStore;
use crate::domain::{AccountName, AuditEntry, Role, RoomName, UserId};
use crate::server::store::{
    Account, AccountRefusal, Accounts, NewAccount, StoreError, StoredSession,
};
use async_trait::async_trait;
use redis::{AsyncCommands, Cmd, Script};
use std::collections::HashMap;

/// KEYS: 1 the names hash, 2 the account. ARGV: 1 folded name, 2 user id, 3 name,
/// 4 password hash, 5 created at. Answers the role, or `taken` / `account`.
const CREATE: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then return 'account' end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 'taken' end
local role = 'member'
if redis.call('HLEN', KEYS[1]) == 1 then role = 'admin' end
redis.call('HSET', KEYS[2], 'name', ARGV[3], 'name_key', ARGV[1], 'password_hash', ARGV[4],
  'role', role, 'created_at', ARGV[5])
return role
";

/// KEYS: 1 the names hash, 2 the account. ARGV: 1 new folded name, 2 user id, 3 new name.
const RENAME: &str = r"
local old = redis.call('HGET', KEYS[2], 'name_key')
if not old then return 0 end
if old ~= ARGV[1] then
  if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
  redis.call('HDEL', KEYS[1], old)
end
redis.call('HSET', KEYS[2], 'name', ARGV[3], 'name_key', ARGV[1])
return 1
";

/// KEYS: 1 the account. ARGV: 1 a field, 2 its value. Never makes an account of nothing.
const SET_FIELD: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
";

/// The most audit entries Redis keeps (the oldest go).
const AUDIT_KEPT: isize = 100_000;

fn corrupt(what: String) -> StoreError {
    StoreError::Failed(what.into())
}

fn account(user_id: &UserId, hash: HashMap<String, String>) -> Result<Option<Account>, StoreError> {
    if hash.is_empty() {
        return Ok(None);
    }
    let field = |name: &str| {
        hash.get(name)
            .cloned()
            .ok_or_else(|| corrupt(format!("account without {name}")))
    };
    let role = field("role")?;
    Ok(Some(Account {
        user_id: user_id.clone(),
        name: field("name")?,
        role: Role::parse(&role).map_err(|_| corrupt(format!("bad role {role:?}")))?,
        password_hash: field("password_hash")?,
        created_at: field("created_at")?.parse().unwrap_or_default(),
    }))
}

impl RedisStore {
    /// Sets one field of `user`'s account: `false` when they have none.
    async fn set_account_field(
        &self,
        user: &UserId,
        field: &str,
        value: &str,
    ) -> Result<bool, StoreError> {
        let set: i64 = Script::new(SET_FIELD)
            .key(self.global().account(user.as_str()))
            .arg(field)
            .arg(value)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(set == 1)
    }
}

#[async_trait]
impl Accounts for RedisStore {
    async fn create_account(
        &self,
        new: NewAccount,
    ) -> Result<Result<Role, AccountRefusal>, StoreError> {
        let keys = self.global();
        let answer: String = Script::new(CREATE)
            .key(keys.account_names())
            .key(keys.account(new.user_id.as_str()))
            .arg(&new.name_key)
            .arg(new.user_id.as_str())
            .arg(new.name.as_str())
            .arg(&new.password_hash)
            .arg(new.at)
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        match answer.as_str() {
            "taken" => Ok(Err(AccountRefusal::NameTaken)),
            "account" => Ok(Err(AccountRefusal::AlreadyAnAccount)),
            role => Ok(Ok(Role::parse(role).map_err(|_| corrupt(answer.clone()))?)),
        }
    }

    async fn account_by_name(&self, name_key: &str) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn.clone();
        let user: Option<String> = conn
            .hget(self.global().account_names(), name_key)
            .await
            .map_err(classify)?;
        match user.as_deref().and_then(UserId::parse) {
            Some(user) => self.account(&user).await,
            None => Ok(None),
        }
    }

    async fn account(&self, user: &UserId) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn.clone();
        let hash: HashMap<String, String> = conn
            .hgetall(self.global().account(user.as_str()))
            .await
            .map_err(classify)?;
        account(user, hash)
    }

    async fn accounts(&self, limit: u32) -> Result<Vec<Account>, StoreError> {
        let mut conn = self.conn.clone();
        let ids: Vec<String> = conn
            .hvals(self.global().account_names())
            .await
            .map_err(classify)?;
        let ids: Vec<UserId> = ids.iter().filter_map(|id| UserId::parse(id)).collect();
        let mut pipe = Batch::new();
        for id in &ids {
            pipe.add(Cmd::hgetall(self.global().account(id.as_str())));
        }
        let hashes: Vec<HashMap<String, String>> = pipe.query(&conn).await?;
        let mut accounts = Vec::with_capacity(ids.len());
        for (id, hash) in ids.iter().zip(hashes) {
            accounts.extend(account(id, hash)?);
        }
        accounts.sort_by(|a, b| (a.created_at, &a.user_id).cmp(&(b.created_at, &b.user_id)));
        accounts.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(accounts)
    }

    async fn rename_account(
        &self,
        user: &UserId,
        name: &AccountName,
        name_key: &str,
    ) -> Result<bool, StoreError> {
        let keys = self.global();
        let renamed: i64 = Script::new(RENAME)
            .key(keys.account_names())
            .key(keys.account(user.as_str()))
            .arg(name_key)
            .arg(user.as_str())
            .arg(name.as_str())
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(classify)?;
        Ok(renamed == 1)
    }

    async fn create_session(&self, new: &StoredSession) -> Result<(), StoreError> {
        self.open_session(new).await
    }

    async fn session(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        self.read_session(id).await
    }

    async fn touch_session(&self, id: &str, at: i64) -> Result<(), StoreError> {
        self.touch(id, at).await
    }

    async fn sessions_of(&self, user: &UserId) -> Result<Vec<StoredSession>, StoreError> {
        self.list_sessions(user).await
    }

    async fn set_role(&self, user: &UserId, role: Role) -> Result<bool, StoreError> {
        self.set_account_field(user, "role", role.as_str()).await
    }

    async fn set_password(&self, user: &UserId, password_hash: &str) -> Result<bool, StoreError> {
        self.set_account_field(user, "password_hash", password_hash)
            .await
    }

    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let json = serde_json::to_string(entry).map_err(|e| StoreError::Failed(Box::new(e)))?;
        let key = self.global().audit_log();
        redis::pipe()
            .atomic()
            .lpush(&key, json)
            .ignore()
            .ltrim(&key, 0, AUDIT_KEPT - 1)
            .ignore()
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(classify)
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conn = self.conn.clone();
        let stop = isize::try_from(limit).unwrap_or(isize::MAX) - 1;
        let entries: Vec<String> = conn
            .lrange(self.global().audit_log(), 0, stop)
            .await
            .map_err(classify)?;
        entries
            .iter()
            .map(|json| serde_json::from_str(json).map_err(|e| StoreError::Failed(Box::new(e))))
            .collect()
    }

    async fn ban(&self, user: &UserId, at: i64) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        conn.hset_nx::<_, _, _, ()>(self.global().bans(), user.as_str(), at)
            .await
            .map_err(classify)
    }

    async fn unban(&self, user: &UserId) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let gone: i64 = conn
            .hdel(self.global().bans(), user.as_str())
            .await
            .map_err(classify)?;
        Ok(gone == 1)
    }

    async fn banned(&self) -> Result<Vec<UserId>, StoreError> {
        let mut conn = self.conn.clone();
        let ids: Vec<String> = conn.hkeys(self.global().bans()).await.map_err(classify)?;
        Ok(ids.iter().filter_map(|id| UserId::parse(id)).collect())
    }

    async fn set_locked(&self, room: &RoomName, locked: bool, at: i64) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let key = self.global().locked_rooms();
        if locked {
            conn.hset_nx::<_, _, _, ()>(key, room.as_str(), at).await
        } else {
            conn.hdel::<_, _, ()>(key, room.as_str()).await
        }
        .map_err(classify)
    }

    async fn locked_rooms(&self) -> Result<Vec<RoomName>, StoreError> {
        let mut conn = self.conn.clone();
        let rooms: Vec<String> = conn
            .hkeys(self.global().locked_rooms())
            .await
            .map_err(classify)?;
        Ok(rooms
            .iter()
            .filter_map(|room| RoomName::parse(room).ok())
            .collect())
    }

    async fn end_session(&self, user: &UserId, id: &str) -> Result<bool, StoreError> {
        self.close_session(user, id).await
    }
}
