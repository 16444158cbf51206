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
    async fn note_addresses(&self, notes: &[AddressNote]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(classify)?;
        for note in notes {
            sqlx::query(
                "INSERT INTO user_addresses (user_id, net, last_seen) VALUES (?, ?, ?)
                 ON CONFLICT (user_id, net) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)",
            )
            .bind(note.user_id.as_str())
            .bind(&note.net)
            .bind(note.at)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
        let newest = notes.iter().map(|note| note.at).max().unwrap_or_default();
        sqlx::query("DELETE FROM user_addresses WHERE last_seen < ?")
            .bind(newest.saturating_sub(ADDRESSES_KEPT_FOR_MS))
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        let mut people: Vec<&UserId> = notes.iter().map(|note| &note.user_id).collect();
        people.sort();
        people.dedup();
        for user in people {
            sqlx::query(
                "DELETE FROM user_addresses WHERE user_id = ?1 AND net NOT IN
                 (SELECT net FROM user_addresses WHERE user_id = ?1 ORDER BY last_seen DESC LIMIT ?2)",
            )
            .bind(user.as_str())
            .bind(i64::try_from(ADDRESSES_KEPT).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
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
