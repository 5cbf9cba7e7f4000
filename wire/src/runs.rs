//! Submitting a commit's build and reading its runs.

use gate_runner::result::Outcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/runs`: run the suite against a deployed build of a commit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SubmitRun {
    /// Full commit SHA (40 or 64 hex characters).
    pub commit: String,
    pub branch: Option<String>,
    /// Pull request number, if the commit is a PR head.
    pub pr: Option<u64>,
    /// When the commit was made (RFC 3339); used for lead time.
    pub committed_at: Option<String>,
    /// Base URL of the deployed staging build of this commit: an absolute http(s) URL. May be
    /// left out when the server has a `default-base-url`.
    #[serde(default)]
    pub base_url: String,
    /// Only scenarios with one of these tags (empty: all).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Make a new run even if this commit and suite already have one.
    #[serde(default)]
    pub rerun: bool,
}

/// Where a run is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Waiting for a runner.
    Queued,
    /// At least one scenario started.
    Running,
    /// Every scenario passed (flaky ones included).
    Passed,
    /// At least one scenario failed.
    Failed,
    /// Infrastructure problem: a scenario could not be run (after its attempts).
    Error,
    /// Cancelled by a user.
    Cancelled,
}

impl RunState {
    pub const ALL: [RunState; 6] = [
        RunState::Queued,
        RunState::Running,
        RunState::Passed,
        RunState::Failed,
        RunState::Error,
        RunState::Cancelled,
    ];

    pub fn is_final(self) -> bool {
        !matches!(self, RunState::Queued | RunState::Running)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::Passed => "passed",
            RunState::Failed => "failed",
            RunState::Error => "error",
            RunState::Cancelled => "cancelled",
        }
    }
}

/// Where one scenario job of a run is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    /// A runner holds it (embedded pool or agent) until its lease expires.
    Running,
    Done,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
        }
    }
}

/// One scenario of a run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JobView {
    pub id: String,
    pub scenario: String,
    pub path: String,
    pub state: JobState,
    /// Set once the job is done.
    pub outcome: Option<Outcome>,
    /// How many times a runner took the job (a lease that expired counts).
    pub leases: u32,
    /// The runner that took it last: `agent:<name>` or `embedded@<host>:<pid>`.
    pub runner: Option<String>,
    pub duration_ms: Option<u64>,
    /// `file:line` of the failing step.
    pub failure_location: Option<String>,
    pub failure_message: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// Link to the failure screenshot, if any.
    pub screenshot_url: Option<String>,
}

/// `GET /api/v1/runs/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RunView {
    pub id: String,
    pub commit: String,
    pub branch: Option<String>,
    pub pr: Option<u64>,
    pub committed_at: Option<String>,
    pub base_url: String,
    pub tags: Vec<String>,
    /// Identifies the scenario set (a hash of the scenario files): idempotency is per commit
    /// and suite.
    pub suite: String,
    pub state: RunState,
    /// Why a run ended in `error` or `cancelled`.
    pub reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    pub finished_at: Option<String>,
    /// The git commit of the server's configuration (`gate.toml` and scenarios) when it was
    /// written: `<sha>`, `<sha>-dirty` with uncommitted changes, or absent outside git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_commit: Option<String>,
    pub jobs: Vec<JobView>,
    pub links: RunLinks,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RunLinks {
    /// The run's web page.
    pub html: String,
    pub junit: String,
    /// The HTML report with screenshots.
    pub report: String,
}

/// `GET /api/v1/runs`: newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RunList {
    pub runs: Vec<RunView>,
    /// Pass as `?before=` for the next page; absent on the last page.
    pub next: Option<String>,
}
