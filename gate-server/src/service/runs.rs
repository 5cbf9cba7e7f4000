//! Reading runs, a commit's verdict and a run's artifacts; cancelling a run.

use crate::auth::Principal;
use crate::model::RunState;
use crate::store::{JobRecord, QueueStats, RunFilter, RunRecord};
use crate::verdict::{self, CommitVerdict};

use super::submit::commit_id;
use super::{Service, ServiceError};

/// Most runs one page holds.
pub const MAX_LIMIT: u32 = 100;
/// Runs per page when the query names no limit.
pub const DEFAULT_LIMIT: u32 = 20;

/// Which runs to list, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunQuery {
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub state: Option<RunState>,
    /// A run id: only runs older than it (the previous page's `next`).
    pub before: Option<String>,
    /// 1 to [`MAX_LIMIT`]; `None`: [`DEFAULT_LIMIT`].
    pub limit: Option<u32>,
}

/// One page of runs with their jobs, and the cursor of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPage {
    pub runs: Vec<(RunRecord, Vec<JobRecord>)>,
    pub next: Option<String>,
}

impl Service {
    /// A run and its jobs in scenario order.
    pub async fn run(&self, id: &str) -> Result<(RunRecord, Vec<JobRecord>), ServiceError> {
        let run = self
            .store
            .run(id)
            .await?
            .ok_or(ServiceError::NotFound("run"))?;
        let jobs = self.store.jobs(id).await?;
        Ok((run, jobs))
    }

    /// Runs without their jobs (the lists of the pages).
    pub async fn run_records(
        &self,
        query: RunQuery,
    ) -> Result<(Vec<RunRecord>, Option<String>), ServiceError> {
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ServiceError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if let Some(before) = &query.before
            && self.store.run(before).await?.is_none()
        {
            return Err(ServiceError::invalid(
                "before",
                "before must be the id of a run (the `next` of the previous page)",
            ));
        }
        let commit = query
            .commit
            .filter(|c| !c.trim().is_empty())
            .map(|c| commit_id("commit", &c))
            .transpose()?;
        let filter = RunFilter {
            commit,
            branch: query.branch.filter(|b| !b.is_empty()),
            state: query.state,
            before: query.before,
            limit: limit + 1,
        };
        let mut runs = self.store.runs(&filter).await?;
        let more = runs.len() > limit as usize;
        runs.truncate(limit as usize);
        let next = more.then(|| runs.last().map(|r| r.id.clone())).flatten();
        Ok((runs, next))
    }

    /// One page of runs with their jobs.
    pub async fn runs(&self, query: RunQuery) -> Result<RunPage, ServiceError> {
        let (records, next) = self.run_records(query).await?;
        let mut runs = Vec::with_capacity(records.len());
        for run in records {
            let jobs = self.store.jobs(&run.id).await?;
            runs.push((run, jobs));
        }
        Ok(RunPage { runs, next })
    }

    /// A commit's combined verdict over the latest run of each suite. `NotFound` when the
    /// commit has no run.
    pub async fn verdict(&self, sha: &str) -> Result<CommitVerdict, ServiceError> {
        let sha = commit_id("sha", sha)?;
        // The fingerprint first: a change after it makes the next read recompute, never keeps
        // an old verdict under a new fingerprint.
        // Callers polling one commit at once share a read that started after they asked; on an
        // SQLite file nothing committed since the last read answers with no read at all.
        let fingerprint = self
            .fingerprints
            .read(
                &sha,
                || self.store.change_marker(),
                || self.store.verdict_fingerprint(&sha),
            )
            .await?;
        if fingerprint.is_empty() {
            return Err(ServiceError::NotFound("commit"));
        }
        if let Some(verdict) = self.verdicts.get(&sha, &fingerprint) {
            return Ok(verdict);
        }
        let runs = self.store.verdict_runs(&sha).await?;
        if runs.is_empty() {
            return Err(ServiceError::NotFound("commit"));
        }
        let verdict = verdict::combine(&sha, &runs);
        self.verdicts.put(&sha, fingerprint, &verdict);
        Ok(verdict)
    }

    /// One artifact file of a run.
    pub async fn artifact(&self, run: &str, path: &str) -> Result<Vec<u8>, ServiceError> {
        self.store
            .artifact(run, path)
            .await?
            .ok_or(ServiceError::NotFound("artifact"))
    }

    /// Cancels a run: queued scenarios are dropped, running ones finish. A finished run is left
    /// as it is.
    pub async fn cancel(&self, id: &str, who: &Principal) -> Result<RunRecord, ServiceError> {
        let reason = format!("cancelled by {}", who.name);
        let (run, cancelled) = self
            .store
            .cancel_run(id, &reason)
            .await?
            .ok_or(ServiceError::NotFound("run"))?;
        if cancelled {
            self.finished(&run).await;
        }
        Ok(run)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }

    pub async fn queue_stats(&self) -> Result<QueueStats, ServiceError> {
        Ok(self.store.queue_stats().await?)
    }
}
