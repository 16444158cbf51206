//! Push subscriptions in SQLite (`push_subscriptions`), one row per endpoint.

use super::faults::classify;
use super::rows::corrupt;
use super::SqliteStore;
use crate::domain::UserId;
use crate::server::store::{
    PushKeys, PushSubscription, PushSubscriptions, StoreError, MAX_PUSH_SUBSCRIPTIONS,
};
use async_trait::async_trait;

#[async_trait]
impl PushSubscriptions for SqliteStore {
    async fn add_push_subscription(
        &self,
        user: &UserId,
        session: Option<&str>,
        subscription: &PushSubscription,
    ) -> Result<bool, StoreError> {
        let keys = serde_json::to_string(&subscription.keys).map_err(corrupt)?;
        let created_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as i64);
        // One statement: the count is read under the write lock, so two browsers
        // subscribing at once cannot pass the bound between them.
        let kept = sqlx::query(
            "INSERT INTO push_subscriptions (endpoint, user_id, keys, created_at, session) \
             SELECT ?1, ?2, ?3, ?4, ?6 \
             WHERE (SELECT COUNT(*) FROM push_subscriptions \
                    WHERE user_id = ?2 AND endpoint <> ?1) < ?5 \
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
             keys = excluded.keys, created_at = excluded.created_at, \
             session = excluded.session",
        )
        .bind(&subscription.endpoint)
        .bind(user.as_str())
        .bind(keys)
        .bind(created_at)
        .bind(MAX_PUSH_SUBSCRIPTIONS as i64)
        .bind(session)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(kept.rows_affected() == 1)
    }

    async fn remove_push_subscription(
        &self,
        user: &UserId,
        endpoint: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?")
            .bind(endpoint)
            .bind(user.as_str())
            .execute(&self.pool)
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn push_subscriptions(&self, user: &UserId) -> Result<Vec<PushSubscription>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT endpoint, keys FROM push_subscriptions WHERE user_id = ? \
             ORDER BY created_at",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        rows.into_iter()
            .map(|(endpoint, keys)| {
                let keys: PushKeys = serde_json::from_str(&keys).map_err(corrupt)?;
                Ok(PushSubscription { endpoint, keys })
            })
            .collect()
    }
}
