//! The SQLite store's passkeys (table `passkeys`): small, rare writes made on the pool, as
//! accounts are.

use super::faults::{classify, violates};
use super::SqliteStore;
use crate::domain::UserId;
use crate::server::store::passkeys::{Passkeys, StoredPasskey};
use crate::server::store::StoreError;
use async_trait::async_trait;

type PasskeyRow = (String, String, String, String, i64, Option<i64>);

#[async_trait]
impl Passkeys for SqliteStore {
    async fn add_passkey(&self, passkey: &StoredPasskey) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "INSERT INTO passkeys (id, user_id, name, passkey, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&passkey.id)
        .bind(passkey.user_id.as_str())
        .bind(&passkey.name)
        .bind(&passkey.passkey)
        .bind(passkey.created_at)
        .execute(&self.pool)
        .await;
        match added {
            Ok(_) => Ok(true),
            Err(e) if violates(&e, "passkeys.id") => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }

    async fn passkeys_of(&self, user: &UserId) -> Result<Vec<StoredPasskey>, StoreError> {
        let rows: Vec<PasskeyRow> = sqlx::query_as(
            "SELECT id, user_id, name, passkey, created_at, last_used FROM passkeys \
             WHERE user_id = ? ORDER BY created_at, id",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, user_id, name, passkey, created_at, last_used)| {
                Some(StoredPasskey {
                    id,
                    user_id: UserId::parse(&user_id)?,
                    name,
                    passkey,
                    created_at,
                    last_used,
                })
            })
            .collect())
    }

    async fn passkey_used(&self, id: &str, passkey: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE passkeys SET passkey = ?, last_used = ? WHERE id = ?")
            .bind(passkey)
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn remove_passkey(&self, user: &UserId, id: &str) -> Result<bool, StoreError> {
        let gone = sqlx::query("DELETE FROM passkeys WHERE id = ? AND user_id = ?")
            .bind(id)
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(gone.rows_affected() == 1)
    }
}
