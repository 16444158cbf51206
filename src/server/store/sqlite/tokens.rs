//! The SQLite store's device links, API tokens and webhooks (table `tokens`). Small, rare
//! writes made on the pool, as accounts are.

use super::faults::classify;
use super::SqliteStore;
use crate::domain::{RoomName, UserId};
use crate::server::store::{StoreError, StoredToken, TokenKind, Tokens};
use async_trait::async_trait;

type TokenRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

const COLUMNS: &str =
    "id, kind, user_id, room, name, secret_hash, created_at, last_used, expires_at";

fn corrupt(what: String) -> StoreError {
    StoreError::Failed(what.into())
}

fn token(
    (id, kind, user_id, room, name, secret_hash, created_at, last_used, expires_at): TokenRow,
) -> Result<StoredToken, StoreError> {
    Ok(StoredToken {
        kind: TokenKind::parse(&kind).ok_or_else(|| corrupt(format!("bad token kind {kind:?}")))?,
        user_id: UserId::parse(&user_id)
            .ok_or_else(|| corrupt(format!("bad user id {user_id:?}")))?,
        room: room
            .map(|room| RoomName::parse(&room).map_err(|_| corrupt(format!("bad room {room:?}"))))
            .transpose()?,
        id,
        name,
        secret_hash,
        created_at,
        last_used,
        expires_at,
    })
}

fn tokens(rows: Vec<TokenRow>) -> Result<Vec<StoredToken>, StoreError> {
    rows.into_iter().map(token).collect()
}

#[async_trait]
impl Tokens for SqliteStore {
    async fn create_token(&self, new: &StoredToken) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO tokens ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(&new.id)
        .bind(new.kind.as_str())
        .bind(new.user_id.as_str())
        .bind(new.room.as_ref().map(RoomName::as_str))
        .bind(&new.name)
        .bind(&new.secret_hash)
        .bind(new.created_at)
        .bind(new.last_used)
        .bind(new.expires_at)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        if let Some(now) = new.expires_at.map(|_| new.created_at) {
            // Short-lived ones (links, ceremonies) that ran out go as new ones come.
            sqlx::query("DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at < ?")
                .bind(now)
                .execute(&self.pool)
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        sqlx::query_as::<_, TokenRow>(&format!("SELECT {COLUMNS} FROM tokens WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(classify)?
            .map(token)
            .transpose()
    }

    async fn take_token(&self, id: &str) -> Result<Option<StoredToken>, StoreError> {
        sqlx::query_as::<_, TokenRow>(&format!(
            "DELETE FROM tokens WHERE id = ? RETURNING {COLUMNS}"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(classify)?
        .map(token)
        .transpose()
    }

    async fn tokens_of(
        &self,
        user: &UserId,
        kind: TokenKind,
    ) -> Result<Vec<StoredToken>, StoreError> {
        let rows = sqlx::query_as::<_, TokenRow>(&format!(
            "SELECT {COLUMNS} FROM tokens WHERE user_id = ? AND kind = ? \
             ORDER BY created_at DESC, id"
        ))
        .bind(user.as_str())
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        tokens(rows)
    }

    async fn webhooks_of(&self, room: &RoomName) -> Result<Vec<StoredToken>, StoreError> {
        let rows = sqlx::query_as::<_, TokenRow>(&format!(
            "SELECT {COLUMNS} FROM tokens WHERE room = ? AND kind = ? \
             ORDER BY created_at DESC, id"
        ))
        .bind(room.as_str())
        .bind(TokenKind::Webhook.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        tokens(rows)
    }

    async fn touch_token(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tokens SET last_used = ? WHERE id = ? AND (last_used IS NULL OR last_used < ?)",
        )
        .bind(at)
        .bind(id)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }

    async fn revoke_token(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM tokens WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(done.rows_affected() == 1)
    }
}
