//! What the holder of a lease may do: renew it, report the job's result, or hand the job back.
//! Each checks the lease token, so a runner that lost its lease (it expired and the job went to
//! another runner) changes nothing: each scenario's result is recorded exactly once.

use std::time::Duration;

use gate_runner::result::ScenarioResult;

use super::artifacts::put_artifacts;
use super::lifecycle::{finish_run_if_done, lock_run};
use super::retry::retrying;
use super::rows::to_json;
use super::{Completion, Store, StoreError, now_ms};

impl Store {
    /// Extends a lease to `lease_for` from now. False if the token no longer holds the job.
    pub async fn heartbeat(
        &self,
        job_id: &str,
        token: &str,
        lease_for: Duration,
    ) -> Result<bool, StoreError> {
        let lease_for: i64 = lease_for.as_millis().try_into().unwrap_or(i64::MAX);
        retrying("renew a lease", || async move {
            let renewed = sqlx::query(
                "UPDATE jobs SET lease_expires_at = $1 \
                 WHERE id = $2 AND lease_token = $3 AND state = 'running'",
            )
            .bind(now_ms().saturating_add(lease_for))
            .bind(job_id)
            .bind(token)
            .execute(&self.pool)
            .await?;
            Ok(renewed.rows_affected() == 1)
        })
        .await
    }

    /// Records a result and its artifact files (path relative to the run's artifacts, bytes)
    /// if `token` still holds the job; otherwise nothing is stored and the answer is
    /// [`Completion::LeaseLost`]. A lease that expired but was not taken by another runner
    /// still holds.
    pub async fn complete(
        &self,
        job_id: &str,
        token: &str,
        result: &ScenarioResult,
        artifacts: &[(String, Vec<u8>)],
    ) -> Result<Completion, StoreError> {
        let json = &to_json(result, "job result")?;
        retrying("record a result", || async move {
            let mut tx = self.pool.begin().await?;
            let Some(run_id) = held_job_run(&mut tx, job_id, token).await? else {
                return Ok(Completion::LeaseLost);
            };
            lock_run(&mut tx, &run_id).await?;
            let recorded = sqlx::query(
                "UPDATE jobs SET state = 'done', outcome = $1, result = $2, lease_token = NULL, \
                 lease_expires_at = NULL, finished_at = $3 \
                 WHERE id = $4 AND lease_token = $5 AND state = 'running'",
            )
            .bind(result.outcome.as_str())
            .bind(json)
            .bind(now_ms())
            .bind(job_id)
            .bind(token)
            .execute(&mut *tx)
            .await?;
            if recorded.rows_affected() != 1 {
                return Ok(Completion::LeaseLost);
            }
            put_artifacts(&mut tx, &run_id, artifacts).await?;
            let run_finished = finish_run_if_done(&mut tx, &run_id).await?.map(Box::new);
            tx.commit().await?;
            Ok(Completion::Recorded {
                run_id,
                run_finished,
            })
        })
        .await
    }

    /// Gives a leased job back to the queue (a runner shutting down): the lease is cleared, the
    /// count of leases kept. In a cancelled run the job ends as `cancelled` instead. Nothing
    /// happens if the token no longer holds the job.
    pub async fn release(&self, job_id: &str, token: &str) -> Result<(), StoreError> {
        retrying("hand a job back", || async move {
            let mut tx = self.pool.begin().await?;
            let Some(run_id) = held_job_run(&mut tx, job_id, token).await? else {
                return Ok(());
            };
            let run_state = lock_run(&mut tx, &run_id).await?;
            let release = if run_state.is_some_and(|s| s.is_final()) {
                // The run was cancelled while the job ran: it ends now instead of queueing.
                sqlx::query(
                    "UPDATE jobs SET state = 'done', outcome = 'cancelled', lease_token = NULL, \
                     lease_expires_at = NULL, finished_at = $3 \
                     WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                )
                .bind(job_id)
                .bind(token)
                .bind(now_ms())
            } else {
                sqlx::query(
                    "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_token = NULL, \
                     lease_expires_at = NULL \
                     WHERE id = $1 AND lease_token = $2 AND state = 'running'",
                )
                .bind(job_id)
                .bind(token)
            };
            release.execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}

/// The run of the job if `token` holds it (read without a lock: the caller locks the run, then
/// checks the token again while changing the job).
async fn held_job_run(
    tx: &mut super::lifecycle::Tx,
    job_id: &str,
    token: &str,
) -> Result<Option<String>, StoreError> {
    let run: Option<(String,)> = sqlx::query_as(
        "SELECT run_id FROM jobs WHERE id = $1 AND lease_token = $2 AND state = 'running'",
    )
    .bind(job_id)
    .bind(token)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(run.map(|(id,)| id))
}
