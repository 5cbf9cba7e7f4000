//! The HTTP API's types: one definition shared by the server, the agent and the CLI
//! (`gate submit`, `gate wait`, `gate status`). JSON field names are snake_case; unknown fields
//! in requests are rejected so a typo in a CI script is an error, not a silently ignored option.

use gate_runner::result::ScenarioResult;
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
    /// Base URL of the deployed staging build of this commit.
    pub base_url: String,
    /// Only scenarios with one of these tags (empty: all).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Make a new run even if this commit and suite already have one.
    #[serde(default)]
    pub rerun: bool,
}

/// Where a run or a job is.
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

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    /// A runner holds it (embedded pool or agent) until its lease expires.
    Running,
    Done,
}

/// One scenario of a run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JobView {
    pub id: String,
    pub scenario: String,
    pub path: String,
    pub state: JobState,
    /// `passed`, `flaky`, `failed`, `error`, `cancelled` once done.
    pub outcome: Option<String>,
    /// How many times a runner took the job (a lease that expired counts).
    pub leases: u32,
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

/// `GET /api/v1/commits/{sha}/status`: like a combined commit status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CommitStatus {
    pub sha: String,
    /// `pending`, `success`, `failure` or `error`.
    pub state: String,
    pub description: String,
    /// The commit's page.
    pub target_url: String,
    /// The latest run of each suite for this commit.
    pub runs: Vec<RunSummary>,
    /// Scenarios that passed only on a retry (the verdict is still success).
    pub flaky: Vec<String>,
    pub failing: Vec<FailingScenario>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RunSummary {
    pub id: String,
    pub state: RunState,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FailingScenario {
    pub run: String,
    pub scenario: String,
    pub outcome: String,
    pub location: Option<String>,
    pub message: Option<String>,
}

/// Every error answer: a message safe to show, and the request field it is about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorBody {
    pub error: String,
    pub field: Option<String>,
}

// ---- agent protocol ----

/// `POST /api/v1/agent/lease`: ask for work, waiting up to `wait_ms` for some (long poll).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LeaseRequest {
    /// The agent's name (shown in the run page and logs).
    pub agent: String,
    /// How many jobs it can take now.
    pub capacity: u32,
    #[serde(default)]
    pub wait_ms: u64,
}

/// A job handed to a runner. It owns the job until `expires_at` unless it sends heartbeats.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Lease {
    pub job: String,
    pub run: String,
    /// Proves ownership in heartbeats and the result.
    pub token: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    pub heartbeat_ms: u64,
    pub scenario: String,
    pub base_url: String,
    /// The run's scenario files, exactly as submitted (the runner parses them itself).
    pub sources: Vec<SourceFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LeaseGrant {
    pub leases: Vec<Lease>,
}

/// `POST /api/v1/agent/jobs/{id}/heartbeat` and `.../result` carry the lease token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub token: String,
}

/// `POST /api/v1/agent/jobs/{id}/result`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JobResult {
    pub token: String,
    #[schema(value_type = Object)]
    pub result: ScenarioResult,
    /// Artifact files, path (relative, as in `result`) → base64 content.
    #[serde(default)]
    pub artifacts: Vec<ArtifactUpload>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArtifactUpload {
    pub path: String,
    pub content_base64: String,
}
