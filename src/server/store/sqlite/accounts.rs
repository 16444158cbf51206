//! The SQLite store's accounts and sessions (tables `accounts` and `sessions`). Small, rare
//! writes made on the pool, as memberships are, not through the group-commit writer.

use super::faults::{classify, violates};
use super::SqliteStore;
use crate::domain::{AccountName, AuditEntry, Role, RoomName, UserId};
use crate::server::store::{
    Account, AccountRefusal, Accounts, NewAccount, StoreError, StoredSession,
};
use async_trait::async_trait;

type AccountRow = (String, String, String, String, i64);
type SessionRow = (String, String, i64, i64, String);

const ACCOUNT_COLUMNS: &str = "user_id, name, role, password_hash, created_at";
const SESSION_COLUMNS: &str = "id, user_id, created_at, last_seen, user_agent";

fn corrupt(what: String) -> StoreError {
    StoreError::Failed(what.into())
}

fn account(
    (user_id, name, role, password_hash, created_at): AccountRow,
) -> Result<Account, StoreError> {
    Ok(Account {
        user_id: UserId::parse(&user_id)
            .ok_or_else(|| corrupt(format!("bad user id {user_id:?}")))?,
        name,
        role: Role::parse(&role).map_err(|_| corrupt(format!("bad role {role:?}")))?,
        password_hash,
        created_at,
    })
}

fn session(
    (id, user_id, created_at, last_seen, user_agent): SessionRow,
) -> Result<StoredSession, StoreError> {
    Ok(StoredSession {
        user_id: UserId::parse(&user_id)
            .ok_or_else(|| corrupt(format!("bad user id {user_id:?}")))?,
        id,
        created_at,
        last_seen,
        user_agent,
    })
}

#[async_trait]
impl Accounts for SqliteStore {
    async fn set_password(&self, user: &UserId, password_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE accounts SET password_hash = ? WHERE user_id = ?")
            .bind(password_hash)
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_account(
        &self,
        new: NewAccount,
    ) -> Result<Result<Role, AccountRefusal>, StoreError> {
        // One statement: the role is decided where the row is written, so two first sign-ups
        // at once make one administrator.
        let inserted = sqlx::query_scalar::<_, String>(
            "INSERT INTO accounts (user_id, name, name_key, password_hash, role, created_at) \
             SELECT ?, ?, ?, ?, \
                    CASE WHEN EXISTS (SELECT 1 FROM accounts) THEN 'member' ELSE 'admin' END, ? \
             RETURNING role",
        )
        .bind(new.user_id.as_str())
        .bind(new.name.as_str())
        .bind(&new.name_key)
        .bind(&new.password_hash)
        .bind(new.at)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(role) => Ok(Ok(Role::parse(&role).map_err(|_| corrupt(role))?)),
            Err(e) if violates(&e, "accounts.name_key") => Ok(Err(AccountRefusal::NameTaken)),
            Err(e) if violates(&e, "accounts.user_id") => Ok(Err(AccountRefusal::AlreadyAnAccount)),
            Err(e) => Err(classify(e)),
        }
    }

    async fn account_by_name(&self, name_key: &str) -> Result<Option<Account>, StoreError> {
        sqlx::query_as::<_, AccountRow>(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE name_key = ?"
        ))
        .bind(name_key)
        .fetch_optional(&self.pool)
        .await
        .map_err(classify)?
        .map(account)
        .transpose()
    }

    async fn account(&self, user: &UserId) -> Result<Option<Account>, StoreError> {
        sqlx::query_as::<_, AccountRow>(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE user_id = ?"
        ))
        .bind(user.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(classify)?
        .map(account)
        .transpose()
    }

    async fn accounts(&self, limit: u32) -> Result<Vec<Account>, StoreError> {
        sqlx::query_as::<_, AccountRow>(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at, user_id LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?
        .into_iter()
        .map(account)
        .collect()
    }

    async fn rename_account(
        &self,
        user: &UserId,
        name: &AccountName,
        name_key: &str,
    ) -> Result<bool, StoreError> {
        let renamed = sqlx::query("UPDATE accounts SET name = ?, name_key = ? WHERE user_id = ?")
            .bind(name.as_str())
            .bind(name_key)
            .bind(user.as_str())
            .execute(&self.pool)
            .await;
        match renamed {
            Ok(done) => Ok(done.rows_affected() == 1),
            Err(e) if violates(&e, "accounts.name_key") => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }

    async fn create_session(&self, new: &StoredSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_seen, user_agent) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&new.id)
        .bind(new.user_id.as_str())
        .bind(new.created_at)
        .bind(new.last_seen)
        .bind(&new.user_agent)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<StoredSession>, StoreError> {
        sqlx::query_as::<_, SessionRow>(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(classify)?
        .map(session)
        .transpose()
    }

    async fn touch_session(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen = MAX(last_seen, ?) WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn sessions_of(&self, user: &UserId) -> Result<Vec<StoredSession>, StoreError> {
        sqlx::query_as::<_, SessionRow>(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = ? \
             ORDER BY created_at DESC, id"
        ))
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?
        .into_iter()
        .map(session)
        .collect()
    }

    async fn set_role(&self, user: &UserId, role: Role) -> Result<bool, StoreError> {
        let set = sqlx::query("UPDATE accounts SET role = ? WHERE user_id = ?")
            .bind(role.as_str())
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(set.rows_affected() == 1)
    }

    async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor, actor_name, action, subject, detail) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.at)
        .bind(&entry.actor)
        .bind(&entry.actor_name)
        .bind(&entry.action)
        .bind(&entry.subject)
        .bind(&entry.detail)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT at, actor, actor_name, action, subject, detail FROM audit_log \
             ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        Ok(rows
            .into_iter()
            .map(
                |(at, actor, actor_name, action, subject, detail)| AuditEntry {
                    at,
                    actor,
                    actor_name,
                    action,
                    subject,
                    detail,
                },
            )
            .collect())
    }

    async fn ban(&self, user: &UserId, at: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO bans (user_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(user.as_str())
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn unban(&self, user: &UserId) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM bans WHERE user_id = ?")
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(gone.rows_affected() == 1)
    }

    async fn banned(&self) -> Result<Vec<UserId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT user_id FROM bans")
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        Ok(ids.iter().filter_map(|id| UserId::parse(id)).collect())
    }

    async fn set_locked(&self, room: &RoomName, locked: bool, at: i64) -> Result<(), StoreError> {
        let query = if locked {
            sqlx::query("INSERT INTO room_locks (room, at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .bind(room.as_str())
                .bind(at)
        } else {
            sqlx::query("DELETE FROM room_locks WHERE room = ?").bind(room.as_str())
        };
        query.execute(&self.pool).await.map_err(classify)?;
        Ok(())
    }

    async fn locked_rooms(&self) -> Result<Vec<RoomName>, StoreError> {
        let rooms: Vec<String> = sqlx::query_scalar("SELECT room FROM room_locks")
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        Ok(rooms
            .iter()
            .filter_map(|room| RoomName::parse(room).ok())
            .collect())
    }

    async fn end_session(&self, user: &UserId, id: &str) -> Result<bool, StoreError> {
        // With its push subscriptions: a signed-out browser hears nothing more.
        let mut tx = self.pool.begin().await.map_err(classify)?;
        let ended = sqlx::query("DELETE FROM sessions WHERE id = ? AND user_id = ?")
            .bind(id)
            .bind(user.as_str())
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        sqlx::query("DELETE FROM push_subscriptions WHERE session = ? AND user_id = ?")
            .bind(id)
            .bind(user.as_str())
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(ended.rows_affected() == 1)
    }
}
