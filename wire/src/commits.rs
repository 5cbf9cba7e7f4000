//! A commit's combined verdict: what a required merge check reads.

use gate_runner::result::Outcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::runs::RunState;

/// The combined state of a commit, with GitHub's commit-status semantics.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CommitState {
    /// A run is queued or running (or there is none yet).
    Pending,
    /// Every latest run passed.
    Success,
    /// A scenario failed.
    Failure,
    /// A scenario could not be run, or a run was cancelled.
    Error,
}

impl CommitState {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitState::Pending => "pending",
            CommitState::Success => "success",
            CommitState::Failure => "failure",
            CommitState::Error => "error",
        }
    }
}

/// `GET /api/v1/commits/{sha}/status`: like a combined commit status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CommitStatus {
    pub sha: String,
    pub state: CommitState,
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
    /// `failed`, `error` or `cancelled`.
    pub outcome: Outcome,
    pub location: Option<String>,
    pub message: Option<String>,
}
