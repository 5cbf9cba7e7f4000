//! Creating runs. A submission is idempotent per (commit, suite): submitting them again gives
//! the latest run, unless a re-run is asked, which makes the next generation. Both hold under
//! any number of concurrent submissions: a unique index on (commit, suite, generation) lets
//! exactly one insert of a generation win, and the losers read the winner's run.

use std::time::Duration;

use super::changes::mark_changed;
use super::lifecycle::Tx;
use super::retry::{jittered, retrying};
use super::rows::{self, RUN_COLUMNS, to_json};
use super::{NewRun, RunRecord, Store, StoreError, new_id, now_ms};
use crate::model::{RunState, needs_rerun};

/// Rounds of "someone else inserted that generation first" before giving up. Plain submissions
/// need at most two; re-runs of one commit queue on its rows' locks and rarely need more.
const ROUNDS: u32 = 50;

/// Rows per `INSERT INTO jobs`: well under both databases' limits on bound parameters.
const JOBS_PER_INSERT: usize = 200;

impl Store {
    /// Creates the run and its jobs, or returns the latest run of (commit, suite) unless
    /// `rerun`. Returns the run and whether it was created.
    pub async fn submit(&self, new: NewRun) -> Result<(RunRecord, bool), StoreError> {
        let tags = &to_json(&new.tags, "run tags")?;
        let sources = &to_json(&new.sources, "run sources")?;
        let new = &new;
        for _ in 0..ROUNDS {
            if !new.rerun
                && let Some(run) = self.latest_run(&new.commit, &new.suite).await?
            {
                return Ok((run, false));
            }
            let created = retrying("submit a run", || async move {
                let mut tx = self.pool.begin().await?;
                let run = insert_run(&mut tx, new, tags, sources, self.config_commit()).await?;
                if run.is_some() {
                    tx.commit().await?;
                }
                Ok(run)
            })
            .await?;
            // Lost the race for this generation: read the winner's run, or (re-run) try the
            // next generation.
            match created {
                Some(run) => return Ok((run, true)),
                None if new.rerun => tokio::time::sleep(jittered(Duration::from_millis(2))).await,
                None => {}
            }
        }
        Err(StoreError::Conflict("submit a run"))
    }

    /// A new run of the same commit, suite and sources with only the scenarios that failed,
    /// errored or were cancelled. `None` if the run does not exist; the run itself if nothing
    /// failed.
    pub async fn rerun_failed(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let Some(run) = self.run(id).await? else {
            return Ok(None);
        };
        let failed: Vec<(String, String)> = self
            .jobs(id)
            .await?
            .into_iter()
            .filter(|j| j.outcome.is_some_and(needs_rerun))
            .map(|j| (j.scenario, j.path))
            .collect();
        if failed.is_empty() {
            return Ok(Some(run));
        }
        let new = NewRun {
            commit: run.commit,
            branch: run.branch,
            pr: run.pr,
            committed_at: run.committed_at,
            base_url: run.base_url,
            tags: run.tags,
            suite: run.suite,
            sources: run.sources,
            scenarios: failed,
            rerun: true,
        };
        Ok(Some(self.submit(new).await?.0))
    }

    /// The highest generation of (commit, suite).
    async fn latest_run(&self, commit: &str, suite: &str) -> Result<Option<RunRecord>, StoreError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE commit_sha = $1 AND suite = $2 \
             ORDER BY generation DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(commit)
            .bind(suite)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::run).transpose()
    }
}

/// Inserts the run and its jobs; `None` if another transaction holds the generation. A plain
/// submission takes generation 0 (so it can only ever create the first run); a re-run first
/// locks the existing runs of (commit, suite) so concurrent re-runs take turns, then takes the
/// highest generation + 1.
async fn insert_run(
    tx: &mut Tx,
    new: &NewRun,
    tags: &str,
    sources: &str,
    config: Option<&str>,
) -> Result<Option<RunRecord>, StoreError> {
    let id = new_id();
    let now = now_ms();
    let generation = if new.rerun {
        sqlx::query("UPDATE runs SET generation = generation WHERE commit_sha = $1 AND suite = $2")
            .bind(&new.commit)
            .bind(&new.suite)
            .execute(&mut **tx)
            .await?;
        "(SELECT COALESCE(MAX(generation), -1) + 1 FROM runs WHERE commit_sha = $2 AND suite = $8)"
    } else {
        "0"
    };
    // A run without scenarios would wait forever: it ends at once.
    let (state, reason, finished_at) = if new.scenarios.is_empty() {
        (RunState::Error, Some("the run has no scenarios"), Some(now))
    } else {
        (RunState::Queued, None, None)
    };
    let sql = format!(
        "INSERT INTO runs (id, commit_sha, branch, pr, committed_at, base_url, tags, suite, \
         sources, generation, state, reason, created_at, finished_at, config_commit) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {generation}, $10, $11, $12, $13, $14) \
         ON CONFLICT (commit_sha, suite, generation) DO NOTHING"
    );
    let inserted = sqlx::query(&sql)
        .bind(&id)
        .bind(&new.commit)
        .bind(new.branch.clone())
        // A PR number above i64::MAX keeps its 64 bits and reads back the same.
        .bind(new.pr.map(|p| p as i64))
        .bind(new.committed_at.clone())
        .bind(&new.base_url)
        .bind(tags)
        .bind(&new.suite)
        .bind(sources)
        .bind(state.as_str())
        .bind(reason)
        .bind(now)
        .bind(finished_at)
        .bind(config.map(str::to_string))
        .execute(&mut **tx)
        .await?;
    if inserted.rows_affected() != 1 {
        return Ok(None);
    }
    mark_changed(tx, &new.commit).await?;
    for (chunk_index, chunk) in new.scenarios.chunks(JOBS_PER_INSERT).enumerate() {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 3 + 4 * i;
                format!(
                    "(${p}, $1, ${}, ${}, ${}, 'queued', 0, $2)",
                    p + 1,
                    p + 2,
                    p + 3
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO jobs (id, run_id, scenario, path, position, state, leases, created_at) \
             VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql).bind(&id).bind(now);
        for (i, (scenario, path)) in chunk.iter().enumerate() {
            let position = (chunk_index * JOBS_PER_INSERT + i) as i64;
            insert = insert
                .bind(new_id())
                .bind(scenario)
                .bind(path)
                .bind(position);
        }
        insert.execute(&mut **tx).await?;
    }
    Ok(Some(RunRecord {
        id,
        commit: new.commit.clone(),
        branch: new.branch.clone(),
        pr: new.pr,
        committed_at: new.committed_at.clone(),
        base_url: new.base_url.clone(),
        tags: new.tags.clone(),
        suite: new.suite.clone(),
        sources: new.sources.clone(),
        state,
        reason: reason.map(str::to_string),
        created_at: now,
        started_at: None,
        finished_at,
        config_commit: config.map(str::to_string),
    }))
}
