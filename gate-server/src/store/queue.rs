//! The job queue: leases with an expiry and a token, heartbeats, results accepted only from
//! the current lease holder (so each scenario's result is recorded exactly once), hand-backs,
//! and jobs that keep losing their runner ending as errors instead of looping forever.

use std::time::Duration;

use base64::Engine;
use gate_runner::result::ScenarioResult;

use super::rows::{self, JOB_COLUMNS};
use super::runs::{finish_run_if_done, lock_run};
use super::{Completion, LeasedJob, QueueStats, Store, StoreError, new_id, now_ms};

impl Store {
    /// Leases up to `n` jobs: queued ones, and running ones whose lease expired (oldest first).
    /// Jobs that already had `max_leases` leases end as `error` instead.
    pub async fn lease(
        &self,
        owner: &str,
        n: u32,
        lease_for: Duration,
        max_leases: u32,
    ) -> Result<Vec<LeasedJob>, StoreError> {
        let now = now_ms();
        let candidates: Vec<(String, String, i64, Option<String>, String)> = sqlx::query_as(
            "SELECT id, run_id, leases, lease_token, state FROM jobs \
             WHERE state = 'queued' OR (state = 'running' AND lease_expires_at < $1) \
             ORDER BY created_at, position LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(n) * 2 + 8)
        .fetch_all(&self.pool)
        .await?;
        let mut leased = Vec::new();
        for (id, run_id, leases, old_token, state) in candidates {
            if leased.len() >= n as usize {
                break;
            }
            if state == "running" && leases >= i64::from(max_leases) {
                self.give_up(&id, &run_id, old_token.as_deref(), leases)
                    .await?;
                continue;
            }
            let token = new_id();
            let expires = now + lease_for.as_millis() as i64;
            // Compare-and-swap on the state and the previous token: of several servers or
            // agents racing for a job, exactly one gets it.
            let mut tx = self.pool.begin().await?;
            let taken = sqlx::query(
                "UPDATE jobs SET state = 'running', leases = leases + 1, lease_owner = $1, lease_token = $2, lease_expires_at = $3 \
                 WHERE id = $4 AND state = $5 AND COALESCE(lease_token, '') = $6",
            )
            .bind(owner)
            .bind(&token)
            .bind(expires)
            .bind(&id)
            .bind(&state)
            .bind(old_token.clone().unwrap_or_default())
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() != 1 {
                tx.rollback().await?;
                continue;
            }
            sqlx::query("UPDATE runs SET state = 'running', started_at = COALESCE(started_at, $1) WHERE id = $2 AND state = 'queued'")
                .bind(now)
                .bind(&run_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            let job = self.job(&id).await?;
            let run = self
                .run(&run_id)
                .await?
                .ok_or_else(|| StoreError::Corrupt(format!("job {id} has no run")))?;
            leased.push(LeasedJob {
                job,
                run,
                token,
                expires_at: expires,
            });
        }
        Ok(leased)
    }

    /// Ends a job whose runner was lost too often.
    async fn give_up(
        &self,
        id: &str,
        run_id: &str,
        old_token: Option<&str>,
        leases: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_run(&mut tx, run_id).await?;
        let ended = sqlx::query(
            "UPDATE jobs SET state = 'done', outcome = 'error', result = NULL, lease_token = NULL, finished_at = $1 \
             WHERE id = $2 AND state = 'running' AND COALESCE(lease_token, '') = $3",
        )
        .bind(now_ms())
        .bind(id)
        .bind(old_token.unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        if ended.rows_affected() == 1 {
            let reason = format!(
                "the runner of a scenario was lost {leases} times (agent died or server restarted)"
            );
            sqlx::query("UPDATE runs SET reason = $1 WHERE id = $2")
                .bind(reason)
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
            finish_run_if_done(&mut tx, run_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn job(&self, id: &str) -> Result<super::JobRecord, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&self.pool).await?;
        rows::job(&row)
    }

    /// Extends a lease. False if the token no longer owns the job.
    pub async fn heartbeat(
        &self,
        job_id: &str,
        token: &str,
        lease_for: Duration,
    ) -> Result<bool, StoreError> {
        let expires = now_ms() + lease_for.as_millis() as i64;
        let done = sqlx::query("UPDATE jobs SET lease_expires_at = $1 WHERE id = $2 AND lease_token = $3 AND state = 'running'")
            .bind(expires)
            .bind(job_id)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a result (and its artifact files) if `token` still owns the job.
    pub async fn complete(
        &self,
        job_id: &str,
        token: &str,
        result: &ScenarioResult,
        artifacts: &[(String, Vec<u8>)],
    ) -> Result<Completion, StoreError> {
        let json = serde_json::to_string(result).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let run_id: Option<(String,)> = sqlx::query_as("SELECT run_id FROM jobs WHERE id = $1")
            .bind(job_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some((run_id,)) = run_id else {
            return Ok(Completion::LeaseLost);
        };
        let mut tx = self.pool.begin().await?;
        lock_run(&mut tx, &run_id).await?;
        let recorded = sqlx::query(
            "UPDATE jobs SET state = 'done', outcome = $1, result = $2, lease_token = NULL, finished_at = $3 \
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
            tx.rollback().await?;
            return Ok(Completion::LeaseLost);
        }
        for (path, bytes) in artifacts {
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            sqlx::query("DELETE FROM artifacts WHERE run_id = $1 AND path = $2")
                .bind(&run_id)
                .bind(path)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO artifacts (run_id, path, content_base64) VALUES ($1, $2, $3)")
                .bind(&run_id)
                .bind(path)
                .bind(encoded)
                .execute(&mut *tx)
                .await?;
        }
        let finished = finish_run_if_done(&mut tx, &run_id).await?;
        tx.commit().await?;
        let run_finished = if finished {
            self.run(&run_id).await?.map(Box::new)
        } else {
            None
        };
        Ok(Completion::Recorded { run_finished })
    }

    /// Gives a leased job back to the queue (graceful shutdown of a runner).
    pub async fn release(&self, job_id: &str, token: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET state = 'queued', lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_token = $2 AND state = 'running'")
            .bind(job_id)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        let count = |sql: &'static str| async move {
            let row: (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await?;
            Ok::<u64, StoreError>(row.0.max(0) as u64)
        };
        Ok(QueueStats {
            queued_jobs: count("SELECT COUNT(*) FROM jobs WHERE state = 'queued'").await?,
            running_jobs: count("SELECT COUNT(*) FROM jobs WHERE state = 'running'").await?,
            queued_runs: count("SELECT COUNT(*) FROM runs WHERE state = 'queued'").await?,
            running_runs: count("SELECT COUNT(*) FROM runs WHERE state = 'running'").await?,
        })
    }
}
