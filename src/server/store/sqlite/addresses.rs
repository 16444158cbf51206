//! The SQLite store's addresses (tables `user_addresses`, `address_bans`): small, rare
//! writes made on the pool, as accounts are.

use super::faults::classify;
use super::SqliteStore;
use crate::domain::UserId;
use crate::server::store::addresses::{
    AddressBan, AddressNote, Addresses, ADDRESSES_KEPT, ADDRESSES_KEPT_FOR_MS,
};
use crate::server::store::StoreError;
use async_trait::async_trait;

#[async_trait]
impl Addresses for SqliteStore {
    /// The whole batch in three statements, however many notes it holds: each statement is
    /// a hand-off to SQLite's thread and back, and this transaction holds the database's
    /// write lock (the writer waits for it) for as long as they take.
    async fn note_addresses(&self, notes: &[AddressNote]) -> Result<(), StoreError> {
        let rows: Vec<(&str, &str, i64)> = notes
            .iter()
            .map(|note| (note.user_id.as_str(), note.net.as_str(), note.at))
            .collect();
        let rows = serde_json::to_string(&rows).map_err(|e| StoreError::Failed(Box::new(e)))?;
        let newest = notes.iter().map(|note| note.at).max().unwrap_or_default();
        let mut tx = self.pool.begin().await.map_err(classify)?;
        // (`WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT.)
        sqlx::query(
            "INSERT INTO user_addresses (user_id, net, last_seen)
             SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1) WHERE true
             ON CONFLICT (user_id, net) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)",
        )
        .bind(&rows)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        sqlx::query("DELETE FROM user_addresses WHERE last_seen < ?")
            .bind(newest.saturating_sub(ADDRESSES_KEPT_FOR_MS))
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        // Each person noted keeps their newest few networks.
        sqlx::query(
            "DELETE FROM user_addresses AS a
             WHERE a.user_id IN (SELECT value ->> 0 FROM json_each(?1))
             AND a.net NOT IN (SELECT b.net FROM user_addresses AS b WHERE b.user_id = a.user_id
                               ORDER BY b.last_seen DESC LIMIT ?2)",
        )
        .bind(&rows)
        .bind(i64::try_from(ADDRESSES_KEPT).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn addresses_of(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT net FROM user_addresses WHERE user_id = ? ORDER BY last_seen DESC",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(classify)
    }

    async fn ban_addresses(
        &self,
        user: &UserId,
        nets: &[String],
        at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        for net in nets {
            sqlx::query(
                "INSERT INTO address_bans (net, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(net)
            .bind(user.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
        tx.commit().await.map_err(classify)
    }

    async fn unban_addresses_of(&self, user: &UserId) -> Result<u64, StoreError> {
        let gone = sqlx::query("DELETE FROM address_bans WHERE user_id = ?")
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(gone.rows_affected())
    }

    async fn banned_addresses(&self) -> Result<Vec<AddressBan>, StoreError> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT net, user_id, at FROM address_bans ORDER BY at DESC")
                .fetch_all(&self.pool)
                .await
                .map_err(classify)?;
        Ok(rows
            .into_iter()
            .filter_map(|(net, user_id, at)| {
                Some(AddressBan {
                    net,
                    user_id: UserId::parse(&user_id)?,
                    at,
                })
            })
            .collect())
    }
}
