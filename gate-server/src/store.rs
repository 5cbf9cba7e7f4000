//! The store: runs, their scenario jobs, artifacts, webhook deliveries and the commit-status
//! outbox, in SQLite (embedded default: one file, WAL) or PostgreSQL (several gate servers).
//! One set of migrations (`gate-server/migrations/`) serves both through sqlx's `Any` driver.
//!
//! The queue lives here too: jobs are leased with an expiry and a token; a runner that dies
//! loses its lease and the job goes back to the queue; a result is accepted only with the
//! current lease token, so every scenario result is recorded exactly once.
//!
//! (Skeleton: signatures are the contract; the implementation is being written.)

use std::time::Duration;

use gate_runner::result::ScenarioResult;

use crate::wire::{RunState, SourceFile};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// A run to create.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub commit: String,
    pub branch: Option<String>,
    pub pr: Option<u64>,
    pub committed_at: Option<String>,
    pub base_url: String,
    pub tags: Vec<String>,
    /// Hash of the scenario sources: idempotency is per (commit, suite).
    pub suite: String,
    pub sources: Vec<SourceFile>,
    /// (scenario name, file path) in order: one job each.
    pub scenarios: Vec<(String, String)>,
    /// Create a new run even if (commit, suite) has one.
    pub rerun: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub id: String,
    pub commit: String,
    pub branch: Option<String>,
    pub pr: Option<u64>,
    pub committed_at: Option<String>,
    pub base_url: String,
    pub tags: Vec<String>,
    pub suite: String,
    pub sources: Vec<SourceFile>,
    pub state: RunState,
    pub reason: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: String,
    pub run_id: String,
    pub scenario: String,
    pub path: String,
    pub position: u32,
    pub state: crate::wire::JobState,
    /// Times a runner took it.
    pub leases: u32,
    pub lease_owner: Option<String>,
    /// `passed`, `flaky`, `failed`, `error`, `cancelled`.
    pub outcome: Option<String>,
    pub result: Option<ScenarioResult>,
    pub finished_at: Option<i64>,
}

/// A job handed to a runner.
#[derive(Debug, Clone, PartialEq)]
pub struct LeasedJob {
    pub job: JobRecord,
    pub run: RunRecord,
    pub token: String,
    pub expires_at: i64,
}

/// What happened to a submitted result.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// Recorded. `run_finished` is the run if this was its last job.
    Recorded { run_finished: Option<Box<RunRecord>> },
    /// The lease expired or was handed to another runner: the result is dropped.
    LeaseLost,
}

#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub state: Option<RunState>,
    /// Only runs created before this run (paging, newest first).
    pub before: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub queued_jobs: u64,
    pub running_jobs: u64,
    pub queued_runs: u64,
    pub running_runs: u64,
}

/// A commit status waiting to be posted (or re-posted after a failure).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxStatus {
    pub id: String,
    pub sha: String,
    /// `pending`, `success`, `failure`, `error`.
    pub state: String,
    pub description: String,
    pub target_url: String,
    pub attempts: u32,
    /// Unix milliseconds.
    pub next_attempt_at: i64,
}

#[derive(Clone)]
pub struct Store {
    pool: sqlx::AnyPool,
}

#[expect(unused_variables, reason = "skeleton")]
impl Store {
    /// Connects (creating a SQLite file if needed, in WAL mode) and applies the migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        todo!()
    }

    /// Is the database reachable (for `/readyz`)?
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _ = &self.pool;
        todo!()
    }

    /// Creates the run and its jobs, or returns the existing run of (commit, suite) unless
    /// `rerun`. Returns the run and whether it was created. Safe under concurrent identical
    /// submissions (exactly one run is created).
    pub async fn submit(&self, new: NewRun) -> Result<(RunRecord, bool), StoreError> {
        todo!()
    }

    pub async fn run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        todo!()
    }

    /// Newest first.
    pub async fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StoreError> {
        todo!()
    }

    /// The run's jobs in scenario order.
    pub async fn jobs(&self, run_id: &str) -> Result<Vec<JobRecord>, StoreError> {
        todo!()
    }

    /// The latest run of each suite for a commit.
    pub async fn latest_runs_for_commit(&self, sha: &str) -> Result<Vec<RunRecord>, StoreError> {
        todo!()
    }

    /// Cancels queued jobs and the run (running jobs finish, their results are kept).
    pub async fn cancel_run(
        &self,
        id: &str,
        reason: &str,
    ) -> Result<Option<RunRecord>, StoreError> {
        todo!()
    }

    /// A new run of the same commit with only the scenarios that failed or errored.
    /// `None` if the run does not exist; `Some(None)`… (see implementation doc).
    pub async fn rerun_failed(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        todo!()
    }

    /// Leases up to `n` queued jobs (oldest first), and jobs whose lease expired. Jobs that
    /// already had `max_leases` leases end as `error` instead.
    pub async fn lease(
        &self,
        owner: &str,
        n: u32,
        lease_for: Duration,
        max_leases: u32,
    ) -> Result<Vec<LeasedJob>, StoreError> {
        todo!()
    }

    /// Extends a lease. False if the token no longer owns the job.
    pub async fn heartbeat(
        &self,
        job_id: &str,
        token: &str,
        lease_for: Duration,
    ) -> Result<bool, StoreError> {
        todo!()
    }

    /// Records a result (and its artifact files) if `token` still owns the job.
    pub async fn complete(
        &self,
        job_id: &str,
        token: &str,
        result: &ScenarioResult,
        artifacts: &[(String, Vec<u8>)],
    ) -> Result<Completion, StoreError> {
        todo!()
    }

    /// Gives a leased job back to the queue (graceful shutdown of a runner).
    pub async fn release(&self, job_id: &str, token: &str) -> Result<(), StoreError> {
        todo!()
    }

    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        todo!()
    }

    /// An artifact file of a run, by the relative path used in the results.
    pub async fn artifact(&self, run_id: &str, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        todo!()
    }

    /// Remembers a webhook delivery id; false if it was seen before (a redelivery).
    pub async fn record_delivery(&self, delivery: &str) -> Result<bool, StoreError> {
        todo!()
    }

    pub async fn enqueue_status(&self, status: &OutboxStatus) -> Result<(), StoreError> {
        todo!()
    }

    /// Statuses due for (re)delivery at `now` (unix ms), oldest first.
    pub async fn due_statuses(
        &self,
        now: i64,
        limit: u32,
    ) -> Result<Vec<OutboxStatus>, StoreError> {
        todo!()
    }

    pub async fn status_delivered(&self, id: &str) -> Result<(), StoreError> {
        todo!()
    }

    pub async fn status_failed(
        &self,
        id: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        todo!()
    }
}
