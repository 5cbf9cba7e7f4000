//! Artifacts of runs, webhook delivery ids, and the commit-status outbox.

use base64::Engine;

use super::{OutboxStatus, Store, StoreError, now_ms};

impl Store {
    /// An artifact file of a run, by the relative path used in the results.
    pub async fn artifact(&self, run_id: &str, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT content_base64 FROM artifacts WHERE run_id = $1 AND path = $2")
                .bind(run_id)
                .bind(path)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(b64,)| {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| StoreError::Corrupt(format!("artifact {path}: {e}")))
        })
        .transpose()
    }

    /// Remembers a webhook delivery id; false if it was seen before (a redelivery).
    pub async fn record_delivery(&self, delivery: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("INSERT INTO webhook_deliveries (id, received_at) VALUES ($1, $2)")
            .bind(delivery)
            .bind(now_ms())
            .execute(&self.pool)
            .await;
        match done {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Queues a status; older undelivered statuses of the same commit are dropped, so a slow
    /// retry can never overwrite a newer verdict.
    pub async fn enqueue_status(&self, status: &OutboxStatus) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE status_outbox SET delivered_at = $1, last_error = 'superseded' WHERE sha = $2 AND delivered_at IS NULL")
            .bind(now_ms())
            .bind(&status.sha)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO status_outbox (id, sha, state, description, target_url, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&status.id)
            .bind(&status.sha)
            .bind(&status.state)
            .bind(&status.description)
            .bind(&status.target_url)
            .bind(i64::from(status.attempts))
            .bind(status.next_attempt_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Statuses due for (re)delivery at `now` (unix ms), oldest first.
    pub async fn due_statuses(
        &self,
        now: i64,
        limit: u32,
    ) -> Result<Vec<OutboxStatus>, StoreError> {
        let rows: Vec<(String, String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, sha, state, description, target_url, attempts, next_attempt_at FROM status_outbox \
             WHERE delivered_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, sha, state, description, target_url, attempts, next_attempt_at)| {
                    OutboxStatus {
                        id,
                        sha,
                        state,
                        description,
                        target_url,
                        attempts: attempts as u32,
                        next_attempt_at,
                    }
                },
            )
            .collect())
    }

    pub async fn status_delivered(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE status_outbox SET delivered_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn status_failed(
        &self,
        id: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE status_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3")
            .bind(next_attempt_at)
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
