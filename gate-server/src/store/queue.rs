//! The job queue: handing jobs to runners. A job is taken with a lease (a random token and an
//! expiry); jobs whose runner stopped renewing its lease are taken again, and one that has lost
//! its runner `max_leases` times ends as `error` instead of looping forever.
//!
//! Taking a job is a compare-and-swap on the state and token the scan saw, so of several
//! servers racing for a job exactly one gets it, on SQLite and PostgreSQL alike.

use std::time::Duration;

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use gate_runner::result::{Attempt, AttemptOutcome, Failure, FailureKind, Outcome, ScenarioResult};

use super::lifecycle::{finish_run_if_done, job_in, lock_run, mark_started, run_in};
use super::retry::retrying;
use super::rows::to_json;
use super::{LeasedJob, QueueStats, RunRecord, Store, StoreError, new_id, now_ms};

/// Jobs looked at per scan beyond those wanted: room for races lost to other servers.
const SLACK: usize = 16;
/// Scans per call, for when other servers keep taking the jobs first.
const SCANS: u32 = 8;

/// The same condition for the scan and the swap: the job is free to take.
const FREE: &str = "(state = 'queued' OR (state = 'running' AND lease_expires_at < $1))";

/// With [`FREE`], the swap's condition: the job is as the scan saw it (every lease has a new
/// token, so nobody took it in between). [`unchanged`] binds `$1`…`$4`.
const UNCHANGED: &str = "id = $2 AND state = $3 AND COALESCE(lease_token, '') = $4";

/// A job the scan found free, as it was then.
#[derive(sqlx::FromRow)]
struct Candidate {
    id: String,
    run_id: String,
    scenario: String,
    path: String,
    state: String,
    leases: i64,
    lease_token: Option<String>,
}

/// What became of a candidate.
enum Taken {
    Leased(Box<LeasedJob>),
    /// Lost its runner too often: ended as `error`, finishing its run if that was the last job.
    GaveUp(Option<Box<RunRecord>>),
    /// Its run had ended (cancelled): ended as `cancelled`.
    Dropped,
    /// Another runner took it between the scan and the swap.
    Lost,
}

impl Store {
    /// Leases up to `n` jobs: queued ones, and running ones whose lease expired, oldest run
    /// first, then in scenario order. Jobs that already had `max_leases` leases end as `error`
    /// instead.
    pub async fn lease(
        &self,
        owner: &str,
        n: u32,
        lease_for: Duration,
        max_leases: u32,
    ) -> Result<Vec<LeasedJob>, StoreError> {
        Ok(self
            .lease_and_expire(owner, n, lease_for, max_leases)
            .await?
            .0)
    }

    /// Like [`Store::lease`], and also returns the runs that jobs ending as `error` (runner
    /// lost too often) finished, so their verdict can be announced.
    pub async fn lease_and_expire(
        &self,
        owner: &str,
        n: u32,
        lease_for: Duration,
        max_leases: u32,
    ) -> Result<(Vec<LeasedJob>, Vec<RunRecord>), StoreError> {
        let wanted = n as usize;
        let mut leased = Vec::new();
        let mut finished = Vec::new();
        for _ in 0..SCANS {
            if leased.len() >= wanted {
                break;
            }
            let limit = wanted - leased.len() + SLACK;
            let candidates = self.free_jobs(limit).await?;
            let seen_all = candidates.len() < limit;
            let mut raced = false;
            for candidate in &candidates {
                if leased.len() >= wanted {
                    break;
                }
                let taken = retrying("lease a job", || async move {
                    self.take(candidate, owner, lease_for, max_leases).await
                })
                .await?;
                match taken {
                    Taken::Leased(job) => leased.push(*job),
                    Taken::GaveUp(run) => finished.extend(run.map(|r| *r)),
                    Taken::Dropped => {}
                    Taken::Lost => raced = true,
                }
            }
            if seen_all && !raced {
                break;
            }
        }
        Ok((leased, finished))
    }

    async fn free_jobs(&self, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        let sql = format!(
            "SELECT id, run_id, scenario, path, state, leases, lease_token FROM jobs WHERE {FREE} \
             ORDER BY created_at, run_id, position LIMIT $2"
        );
        Ok(sqlx::query_as(&sql)
            .bind(now_ms())
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Leases the candidate, gives it up or drops it, if it is still as the scan saw it.
    async fn take(
        &self,
        job: &Candidate,
        owner: &str,
        lease_for: Duration,
        max_leases: u32,
    ) -> Result<Taken, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = now_ms();
        let Some(run_state) = lock_run(&mut tx, &job.run_id).await? else {
            return Ok(Taken::Lost);
        };
        let swap = |set: &str| format!("UPDATE jobs SET {set} WHERE {UNCHANGED} AND {FREE}");
        let cas = |sql| unchanged(sql, now, job);
        let ended = "state = 'done', lease_token = NULL, lease_expires_at = NULL, finished_at = $1";

        if run_state.is_final() {
            let sql = swap(&format!("{ended}, outcome = 'cancelled'"));
            let dropped = cas(&sql).execute(&mut *tx).await?.rows_affected() == 1;
            tx.commit().await?;
            return Ok(if dropped { Taken::Dropped } else { Taken::Lost });
        }

        if job.state == "running" && job.leases >= i64::from(max_leases) {
            let result = to_json(&lost_runner(job), "job result")?;
            let sql = swap(&format!("{ended}, outcome = 'error', result = $5"));
            if cas(&sql)
                .bind(result)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                != 1
            {
                return Ok(Taken::Lost);
            }
            let run = finish_run_if_done(&mut tx, &job.run_id).await?;
            tx.commit().await?;
            return Ok(Taken::GaveUp(run.map(Box::new)));
        }

        let token = new_id();
        let expires_at = now.saturating_add(lease_for.as_millis().try_into().unwrap_or(i64::MAX));
        let sql = swap(
            "state = 'running', leases = leases + 1, lease_owner = $5, lease_token = $6, \
             lease_expires_at = $7",
        );
        let swapped = cas(&sql)
            .bind(owner)
            .bind(&token)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        if swapped.rows_affected() != 1 {
            return Ok(Taken::Lost);
        }
        mark_started(&mut tx, &job.run_id, now).await?;
        let leased_job = job_in(&mut tx, &job.id).await?;
        let run = run_in(&mut tx, &job.run_id).await?;
        tx.commit().await?;
        let (Some(leased_job), Some(run)) = (leased_job, run) else {
            return Err(StoreError::Corrupt(format!(
                "job {} vanished while leased",
                job.id
            )));
        };
        Ok(Taken::Leased(Box::new(LeasedJob {
            job: leased_job,
            run,
            token,
            expires_at,
        })))
    }

    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        let count = |table: &'static str| async move {
            let sql = format!(
                "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) \
                 FROM {table} WHERE state IN ('queued', 'running')"
            );
            let (queued, running): (i64, i64) = sqlx::query_as(&sql).fetch_one(&self.pool).await?;
            Ok::<_, StoreError>((queued.max(0) as u64, running.max(0) as u64))
        };
        let (queued_jobs, running_jobs) = count("jobs").await?;
        let (queued_runs, running_runs) = count("runs").await?;
        Ok(QueueStats {
            queued_jobs,
            running_jobs,
            queued_runs,
            running_runs,
        })
    }
}

/// `sql` with the parameters of [`UNCHANGED`] and [`FREE`] bound.
fn unchanged<'q>(sql: &'q str, now: i64, job: &'q Candidate) -> Query<'q, Any, AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(now)
        .bind(&job.id)
        .bind(&job.state)
        .bind(job.lease_token.clone().unwrap_or_default())
}

/// The result recorded for a job whose runner was lost too often, so reports and pages say why.
fn lost_runner(job: &Candidate) -> ScenarioResult {
    let message = format!(
        "the runner was lost {} times (agent died or server restarted)",
        job.leases
    );
    ScenarioResult {
        name: job.scenario.clone(),
        path: job.path.clone(),
        tags: Vec::new(),
        outcome: Outcome::Error,
        duration_ms: 0,
        attempts: vec![Attempt {
            number: 1,
            outcome: AttemptOutcome::Error,
            worker: 0,
            duration_ms: 0,
            steps: Vec::new(),
            failure: Some(Failure {
                kind: FailureKind::Infrastructure,
                step: None,
                location: None,
                step_description: None,
                message,
                expected: None,
                actual: None,
            }),
            artifacts: Default::default(),
            console_errors: Vec::new(),
            failed_requests: Vec::new(),
        }],
    }
}
