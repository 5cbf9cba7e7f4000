//! Runs and their jobs: submission (idempotent per commit and suite), reading, paging,
//! cancelling, re-running failures, and deciding a run's final state.

use sqlx::{Any, Transaction};

use super::rows::{self, JOB_COLUMNS, RUN_COLUMNS};
use super::{JobRecord, NewRun, RunFilter, RunRecord, Store, StoreError, new_id, now_ms};
use crate::wire::RunState;

impl Store {
    /// Creates the run and its jobs, or returns the existing run of (commit, suite) unless
    /// `rerun`. Returns the run and whether it was created. Safe under concurrent identical
    /// submissions: a unique index on (commit, suite, generation) lets exactly one insert win.
    pub async fn submit(&self, new: NewRun) -> Result<(RunRecord, bool), StoreError> {
        for _ in 0..20 {
            let latest = self.latest_generation(&new.commit, &new.suite).await?;
            if let (Some(run), false) = (&latest, new.rerun) {
                return Ok((run.clone(), false));
            }
            let generation = match &latest {
                Some(_) => self.max_generation(&new.commit, &new.suite).await? + 1,
                None => 0,
            };
            match self.insert_run(&new, generation).await {
                Ok(run) => return Ok((run, true)),
                Err(StoreError::Db(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Corrupt(
            "could not create the run: too much contention".into(),
        ))
    }

    async fn latest_generation(
        &self,
        commit: &str,
        suite: &str,
    ) -> Result<Option<RunRecord>, StoreError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE commit_sha = $1 AND suite = $2 ORDER BY generation DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(commit)
            .bind(suite)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::run).transpose()
    }

    async fn max_generation(&self, commit: &str, suite: &str) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT generation FROM runs WHERE commit_sha = $1 AND suite = $2 ORDER BY generation DESC LIMIT 1")
            .bind(commit)
            .bind(suite)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map_or(-1, |r| r.0))
    }

    async fn insert_run(&self, new: &NewRun, generation: i64) -> Result<RunRecord, StoreError> {
        let id = new_id();
        let now = now_ms();
        let tags =
            serde_json::to_string(&new.tags).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sources =
            serde_json::to_string(&new.sources).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO runs (id, commit_sha, branch, pr, committed_at, base_url, tags, suite, sources, generation, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11)",
        )
        .bind(&id)
        .bind(&new.commit)
        .bind(new.branch.clone())
        .bind(new.pr.map(|p| p as i64))
        .bind(new.committed_at.clone())
        .bind(&new.base_url)
        .bind(tags)
        .bind(&new.suite)
        .bind(sources)
        .bind(generation)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (position, (scenario, path)) in new.scenarios.iter().enumerate() {
            sqlx::query(
                "INSERT INTO jobs (id, run_id, scenario, path, position, state, leases, created_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6)",
            )
            .bind(new_id())
            .bind(&id)
            .bind(scenario)
            .bind(path)
            .bind(position as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.run(&id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the new run vanished".into()))
    }

    pub async fn run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::run).transpose()
    }

    /// Newest first.
    pub async fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StoreError> {
        let mut sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, value: String| {
            args.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(commit) = &filter.commit {
            arg(&mut sql, " AND commit_sha = ?", commit.clone());
        }
        if let Some(branch) = &filter.branch {
            arg(&mut sql, " AND branch = ?", branch.clone());
        }
        if let Some(state) = filter.state {
            arg(&mut sql, " AND state = ?", state.as_str().to_string());
        }
        let before = match &filter.before {
            Some(id) => self.run(id).await?.map(|r| (r.created_at, r.id)),
            None => None,
        };
        let limit = i64::from(filter.limit.clamp(1, 1000));
        let query = if let Some((created, id)) = before {
            let n = args.len();
            sql.push_str(&format!(
                " AND (created_at < ${} OR (created_at = ${} AND id < ${}))",
                n + 1,
                n + 1,
                n + 2
            ));
            sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT {limit}"));
            let mut q = sqlx::query(&sql);
            for a in &args {
                q = q.bind(a.clone());
            }
            q.bind(created).bind(id).fetch_all(&self.pool).await?
        } else {
            sql.push_str(&format!(" ORDER BY created_at DESC, id DESC LIMIT {limit}"));
            let mut q = sqlx::query(&sql);
            for a in &args {
                q = q.bind(a.clone());
            }
            q.fetch_all(&self.pool).await?
        };
        query.iter().map(rows::run).collect()
    }

    /// The run's jobs in scenario order.
    pub async fn jobs(&self, run_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE run_id = $1 ORDER BY position");
        let rows = sqlx::query(&sql).bind(run_id).fetch_all(&self.pool).await?;
        rows.iter().map(rows::job).collect()
    }

    /// The latest run of each suite for a commit.
    pub async fn latest_runs_for_commit(&self, sha: &str) -> Result<Vec<RunRecord>, StoreError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs r WHERE commit_sha = $1 AND generation = \
             (SELECT MAX(generation) FROM runs o WHERE o.commit_sha = r.commit_sha AND o.suite = r.suite) ORDER BY created_at"
        );
        let rows = sqlx::query(&sql).bind(sha).fetch_all(&self.pool).await?;
        rows.iter().map(rows::run).collect()
    }

    /// Cancels queued jobs and the run (running jobs finish, their results are kept).
    pub async fn cancel_run(
        &self,
        id: &str,
        reason: &str,
    ) -> Result<Option<RunRecord>, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_run(&mut tx, id).await?;
        let now = now_ms();
        sqlx::query("UPDATE jobs SET state = 'done', outcome = 'cancelled', finished_at = $1, lease_token = NULL WHERE run_id = $2 AND state = 'queued'")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE runs SET state = 'cancelled', reason = $1, finished_at = $2 WHERE id = $3 AND state IN ('queued', 'running')")
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.run(id).await
    }

    /// A new run of the same commit with only the scenarios that failed, errored or were
    /// cancelled. `None` if the run does not exist; the run itself if nothing failed.
    pub async fn rerun_failed(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let Some(run) = self.run(id).await? else {
            return Ok(None);
        };
        let failed: Vec<(String, String)> = self
            .jobs(id)
            .await?
            .into_iter()
            .filter(|j| matches!(j.outcome.as_deref(), Some("failed" | "error" | "cancelled")))
            .map(|j| (j.scenario, j.path))
            .collect();
        if failed.is_empty() {
            return Ok(Some(run));
        }
        let new = NewRun {
            commit: run.commit.clone(),
            branch: run.branch.clone(),
            pr: run.pr,
            committed_at: run.committed_at.clone(),
            base_url: run.base_url.clone(),
            tags: run.tags.clone(),
            suite: run.suite.clone(),
            sources: run.sources.clone(),
            scenarios: failed,
            rerun: true,
        };
        Ok(Some(self.submit(new).await?.0))
    }
}

/// Takes the run's row lock (PostgreSQL) so concurrent completions of its last jobs agree on
/// who finishes it; SQLite serialises writers anyway.
pub(super) async fn lock_run(
    tx: &mut Transaction<'static, Any>,
    run_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE runs SET state = state WHERE id = $1")
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// If every job of the run is done, gives the run its final state. Returns the run if this
/// call finished it.
pub(super) async fn finish_run_if_done(
    tx: &mut Transaction<'static, Any>,
    run_id: &str,
) -> Result<bool, StoreError> {
    let open: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE run_id = $1 AND state <> 'done'")
            .bind(run_id)
            .fetch_one(&mut **tx)
            .await?;
    if open.0 > 0 {
        return Ok(false);
    }
    let outcomes: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT outcome FROM jobs WHERE run_id = $1")
            .bind(run_id)
            .fetch_all(&mut **tx)
            .await?;
    let has = |o: &str| outcomes.iter().any(|(x,)| x.as_deref() == Some(o));
    let (state, reason) = if has("failed") {
        (RunState::Failed, None)
    } else if has("error") {
        (
            RunState::Error,
            Some("a scenario could not be run (infrastructure error)"),
        )
    } else if has("cancelled") {
        (RunState::Cancelled, Some("cancelled"))
    } else {
        (RunState::Passed, None)
    };
    let done = sqlx::query("UPDATE runs SET state = $1, reason = COALESCE(reason, $2), finished_at = $3 WHERE id = $4 AND state IN ('queued', 'running')")
        .bind(state.as_str())
        .bind(reason)
        .bind(now_ms())
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}
