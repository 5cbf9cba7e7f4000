//! The store: runs, their scenario jobs, artifacts, webhook deliveries and the commit-status
//! outbox, in SQLite (embedded default: one file, WAL) or PostgreSQL (several gate servers).
//! One set of migrations (`gate-server/migrations/`) serves both through sqlx's `Any` driver.
//!
//! The queue lives here too: jobs are leased with an expiry and a token; a runner that dies
//! loses its lease and the job goes back to the queue; a result is accepted only with the
//! current lease token, so every scenario result is recorded exactly once.
//!
//! Layout: `connect` opens the database; `submit` creates runs; `runs` reads them and
//! `verdict` reads what a commit's combined status is made of;
//! `lifecycle` moves a run between its states; `queue` hands jobs out; `lease` is what the
//! holder of a lease may do; `changes` marks commits whose verdict changed (in the same
//! transaction as the change); `artifacts`, `deliveries`, `outbox` (commit statuses) and
//! `digests` (the weekly digest's outbox), `flow` (manual release stages people performed) hold the rest; `history` is what the DORA metrics
//! read; `rows` decodes rows and `retry` retries transient conflicts; `wal_marker` tells, without
//! a query, whether anything committed to an SQLite file since a moment. Every write is a transaction that
//! takes the run's row before its jobs' rows, so concurrent writers cannot deadlock.

mod artifacts;
mod audit;
mod changes;
mod connect;
mod deliveries;
mod deploys;
mod digests;
mod flow;
mod history;
mod lease;
mod lifecycle;
mod outbox;
mod queue;
mod retry;
mod rows;
mod runs;
mod server_state;
mod submit;
mod verdict;
mod wal_marker;

pub use audit::AuditFilter;
pub use changes::CommitChange;
pub use deploys::{
    DeploymentChange, DeploymentRecord, LogKind, LogLine, NewDeployment, Refused, Reverted,
    ServedPeriod, ServingVersion,
};
pub use digests::{DigestRecord, GIVEN_UP, NewDigest};
pub use flow::StagePerformance;
use gate_runner::result::ScenarioResult;
pub use history::{
    CarriedCommit, ExternalDeployment, ExternalOutcome, Incident, Recorded, RunFacts,
};
pub use verdict::{FailureText, SYNTHETIC_SUITE, VerdictJob, VerdictRun};
pub use wal_marker::ChangeMarker;

use crate::model::{CommitState, JobState, Outcome, RunState, SourceFile};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Concurrent writers kept conflicting after many retries.
    #[error("gave up after repeated write conflicts: {0}")]
    Conflict(&'static str),
}

impl StoreError {
    /// The database could not write because its disk is full (SQLite's `SQLITE_FULL`,
    /// PostgreSQL's `disk_full`): not a passing outage, and nothing of the write was stored.
    pub fn is_disk_full(&self) -> bool {
        let StoreError::Db(sqlx::Error::Database(db)) = self else {
            return false;
        };
        // SQLite reports the primary code 13 (or an extended code whose low byte is 13).
        let sqlite_full = db
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(|c| c & 0xff == 13);
        sqlite_full || db.code().as_deref() == Some("53100")
    }
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
    /// The git commit of the configuration of the server that created it.
    pub config_commit: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: String,
    pub run_id: String,
    pub scenario: String,
    pub path: String,
    pub position: u32,
    pub state: JobState,
    /// Times a runner took it.
    pub leases: u32,
    pub lease_owner: Option<String>,
    /// Set once the job is done.
    pub outcome: Option<Outcome>,
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
    /// Recorded, for the job of this run. `run_finished` is the run if this was its last job.
    Recorded {
        run_id: String,
        run_finished: Option<Box<RunRecord>>,
    },
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
    pub state: CommitState,
    pub description: String,
    pub target_url: String,
    pub attempts: u32,
    /// Unix milliseconds.
    pub next_attempt_at: i64,
}

/// The database, behind a connection pool. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Every write, and reads that belong with one.
    pool: sqlx::AnyPool,
    /// Plain reads (`runs`, `verdict`): SQLite files get read-only connections of their own;
    /// elsewhere this is `pool`.
    reads: sqlx::AnyPool,
    /// PostgreSQL (several servers may share it) rather than SQLite.
    postgres: bool,
    /// The git commit of the configuration this server loaded (`<sha>` or `<sha>-dirty`),
    /// recorded with every run, deployment and audit entry it writes.
    config_commit: Option<std::sync::Arc<str>>,
    /// Where an SQLite file's change marker is read (`None` on PostgreSQL and in memory).
    marker: Option<wal_marker::WalMarker>,
}

impl Store {
    /// This store, recording `stamp` as the configuration's commit with what it writes.
    pub fn with_config_commit(mut self, stamp: Option<String>) -> Store {
        self.config_commit = stamp.map(std::sync::Arc::from);
        self
    }

    /// The configuration's commit recorded with what this store writes.
    pub fn config_commit(&self) -> Option<&str> {
        self.config_commit.as_deref()
    }
}

/// Unix milliseconds now.
/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
