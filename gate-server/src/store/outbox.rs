//! The commit-status outbox: verdicts waiting to be posted to the forge, retried with backoff
//! by the publisher, and kept after delivery for inspection.

use super::retry::retrying;
use super::{OutboxStatus, Store, StoreError, now_ms};
use crate::model::CommitState;

/// The tables of deliveries retried with backoff.
#[derive(Debug, Clone, Copy)]
pub(super) enum Outbox {
    Statuses,
    Digests,
}

impl Store {
    /// Queues a status. Older undelivered statuses of the same commit are dropped (marked
    /// delivered, `superseded`), so a slow retry can never overwrite a newer verdict.
    pub async fn enqueue_status(&self, status: &OutboxStatus) -> Result<(), StoreError> {
        retrying("queue a commit status", || async move {
            let mut tx = self.pool.begin().await?;
            sqlx::query(
                "UPDATE status_outbox SET delivered_at = $1, last_error = 'superseded' \
                 WHERE sha = $2 AND delivered_at IS NULL",
            )
            .bind(now_ms())
            .bind(&status.sha)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO status_outbox (id, sha, state, description, target_url, attempts, \
                 next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&status.id)
            .bind(&status.sha)
            .bind(status.state.as_str())
            .bind(&status.description)
            .bind(&status.target_url)
            .bind(i64::from(status.attempts))
            .bind(status.next_attempt_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Statuses due for (re)delivery at `now` (unix ms), oldest first.
    pub async fn due_statuses(
        &self,
        now: i64,
        limit: u32,
    ) -> Result<Vec<OutboxStatus>, StoreError> {
        let rows: Vec<(String, String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, sha, state, description, target_url, attempts, next_attempt_at \
             FROM status_outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(
                |(id, sha, state, description, target_url, attempts, next_attempt_at)| {
                    let state = CommitState::parse(&state).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown commit status state `{state}`"))
                    })?;
                    Ok(OutboxStatus {
                        id,
                        sha,
                        state,
                        description,
                        target_url,
                        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                        next_attempt_at,
                    })
                },
            )
            .collect()
    }

    /// The status was posted: it is not due again.
    pub async fn status_delivered(&self, id: &str) -> Result<(), StoreError> {
        retrying("mark a commit status delivered", || async move {
            sqlx::query("UPDATE status_outbox SET delivered_at = $1 WHERE id = $2")
                .bind(now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }

    /// When a status was last posted (unix ms): superseded ones, dropped unposted, do not count.
    pub async fn last_status_delivered(&self) -> Result<Option<i64>, StoreError> {
        let (at,): (Option<i64>,) = sqlx::query_as(
            "SELECT MAX(delivered_at) FROM status_outbox \
             WHERE delivered_at IS NOT NULL AND (last_error IS NULL OR last_error <> 'superseded')",
        )
        .fetch_one(&self.reads)
        .await?;
        Ok(at)
    }

    /// Posting failed: one more attempt counted, due again at `next_attempt_at` (unix ms).
    pub async fn status_failed(
        &self,
        id: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        self.attempt_failed(Outbox::Statuses, id, next_attempt_at, error)
            .await
    }

    /// A failed delivery attempt of row `id` of `outbox`: counted, with its error, due again
    /// at `next_attempt_at` (unix ms). The outboxes share their retry columns. A row delivered
    /// meanwhile (a status superseded while it was being posted) is left as it is.
    pub(super) async fn attempt_failed(
        &self,
        outbox: Outbox,
        id: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        let (table, what) = match outbox {
            Outbox::Statuses => ("status_outbox", "reschedule a commit status"),
            Outbox::Digests => ("digest_outbox", "reschedule a digest"),
        };
        let sql = format!(
            "UPDATE {table} SET attempts = attempts + 1, next_attempt_at = $1, \
             last_error = $2 WHERE id = $3 AND delivered_at IS NULL"
        );
        let sql = sql.as_str();
        retrying(what, || async move {
            sqlx::query(sql)
                .bind(next_attempt_at)
                .bind(error)
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }
}
