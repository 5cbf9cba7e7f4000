//! Webhook delivery ids, so a delivery GitHub sends again is not acted on twice.

use super::retry::retrying;
use super::{Store, StoreError, now_ms};

impl Store {
    /// Remembers a webhook delivery id; false if it was seen before (a redelivery).
    pub async fn record_delivery(&self, delivery: &str) -> Result<bool, StoreError> {
        retrying("record a webhook delivery", || async move {
            let inserted = sqlx::query(
                "INSERT INTO webhook_deliveries (id, received_at) VALUES ($1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(delivery)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
            Ok(inserted.rows_affected() == 1)
        })
        .await
    }
}
