//! A run's states: queued → running (its first job leased) → passed | failed | error (its last
//! job done), or cancelled by a user at any point before that. A final state never changes.
//!
//! Every transaction that changes a run or its jobs takes the run's row first ([`lock_run`]), so
//! on PostgreSQL the writers of one run take turns (they agree on who finishes it) and can
//! never deadlock over its rows; SQLite serialises writers anyway.

use sqlx::{Any, Transaction};

use super::changes::mark_changed;
use super::retry::retrying;
use super::rows::{self, JOB_COLUMNS, RUN_COLUMNS};
use super::{JobRecord, RunRecord, Store, StoreError, now_ms};
use crate::model::{JobState, Outcome, RunState};

pub type Tx = Transaction<'static, Any>;

impl Store {
    /// Cancels a queued or running run: its queued jobs (and running ones whose runner is
    /// gone) end as `cancelled`. Runners still holding a lease may report; their results are
    /// kept and the run stays cancelled. A finished run is left as it is. Returns the run and
    /// whether this call cancelled it; `None` if there is no such run.
    pub async fn cancel_run(
        &self,
        id: &str,
        reason: &str,
    ) -> Result<Option<(RunRecord, bool)>, StoreError> {
        retrying("cancel a run", || async move {
            let mut tx = self.pool.begin().await?;
            let Some(state) = lock_run(&mut tx, id).await? else {
                return Ok(None);
            };
            if !state.is_final() {
                let now = now_ms();
                sqlx::query(
                    "UPDATE jobs SET state = 'done', outcome = 'cancelled', lease_token = NULL, \
                     lease_expires_at = NULL, finished_at = $1 \
                     WHERE run_id = $2 AND (state = 'queued' OR (state = 'running' AND lease_expires_at < $1))",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE runs SET state = 'cancelled', reason = $1, finished_at = $2 WHERE id = $3",
                )
                .bind(reason)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            let run = run_in(&mut tx, id).await?;
            let cancelled = !state.is_final();
            if let Some(run) = run.as_ref().filter(|_| cancelled) {
                mark_changed(&mut tx, &run.commit).await?;
            }
            tx.commit().await?;
            Ok(run.map(|run| (run, cancelled)))
        })
        .await
    }
}

/// Takes the run's row lock for the rest of the transaction, bumping its revision (what
/// changes under the lock changes the verdict's inputs); its state, or `None` if there is no
/// such run.
pub async fn lock_run(tx: &mut Tx, run_id: &str) -> Result<Option<RunState>, StoreError> {
    let state: Option<(String,)> =
        sqlx::query_as("UPDATE runs SET revision = revision + 1 WHERE id = $1 RETURNING state")
            .bind(run_id)
            .fetch_optional(&mut **tx)
            .await?;
    state.map(|(s,)| rows::run_state(&s)).transpose()
}

/// A queued run starts when its first job is leased.
pub async fn mark_started(tx: &mut Tx, run_id: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE runs SET state = 'running', started_at = COALESCE(started_at, $1) \
         WHERE id = $2 AND state = 'queued'",
    )
    .bind(now)
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// If every job of the run is done, gives the run its final state: `failed` if a scenario
/// failed; else `error` if one could not be run (an error, or not run at all); else `passed`
/// (flaky scenarios passed). Returns the run if this call finished it. The caller holds the
/// run's lock.
pub async fn finish_run_if_done(
    tx: &mut Tx,
    run_id: &str,
) -> Result<Option<RunRecord>, StoreError> {
    let found: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, state, outcome FROM jobs WHERE run_id = $1 ORDER BY position")
            .bind(run_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut jobs = Vec::with_capacity(found.len());
    for (id, state, outcome) in found {
        jobs.push((
            id,
            rows::job_state(&state)?,
            rows::optional_outcome(outcome)?,
        ));
    }
    if jobs.iter().any(|(_, state, _)| *state != JobState::Done) {
        return Ok(None);
    }
    let with = |outcomes: &[Outcome]| {
        jobs.iter()
            .filter(|(_, _, o)| o.is_some_and(|o| outcomes.contains(&o)))
            .map(|(id, _, _)| id.as_str())
            .collect::<Vec<_>>()
    };
    let (state, reason) = if !with(&[Outcome::Failed]).is_empty() {
        (RunState::Failed, None)
    } else if let [first, rest @ ..] = with(&[Outcome::Error, Outcome::Cancelled]).as_slice() {
        let mut reason = error_reason(tx, first).await?;
        if !rest.is_empty() {
            reason.push_str(&format!(" (and {} more)", rest.len()));
        }
        (RunState::Error, Some(reason))
    } else {
        (RunState::Passed, None)
    };
    let finished = sqlx::query(
        "UPDATE runs SET state = $1, reason = $2, finished_at = $3 \
         WHERE id = $4 AND state IN ('queued', 'running')",
    )
    .bind(state.as_str())
    .bind(reason)
    .bind(now_ms())
    .bind(run_id)
    .execute(&mut **tx)
    .await?;
    if finished.rows_affected() != 1 {
        return Ok(None);
    }
    let run = run_in(tx, run_id).await?;
    if let Some(run) = &run {
        mark_changed(tx, &run.commit).await?;
    }
    Ok(run)
}

/// Why a run ended as `error`, from the first job that could not be run.
async fn error_reason(tx: &mut Tx, job_id: &str) -> Result<String, StoreError> {
    let job = job_in(tx, job_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("job {job_id} vanished")))?;
    let why = match job.result.as_ref().and_then(|r| r.failure()) {
        Some(failure) => failure.message.clone(),
        None if job.outcome == Some(Outcome::Cancelled) => {
            "it was not run (its runner stopped it)".to_string()
        }
        None => "it could not be run (infrastructure error)".to_string(),
    };
    Ok(format!("scenario `{}`: {why}", job.scenario))
}

/// The run as this transaction sees it.
pub async fn run_in(tx: &mut Tx, run_id: &str) -> Result<Option<RunRecord>, StoreError> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(run_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(rows::run).transpose()
}

/// The job as this transaction sees it.
pub async fn job_in(tx: &mut Tx, job_id: &str) -> Result<Option<JobRecord>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(job_id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(rows::job).transpose()
}
