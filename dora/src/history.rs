//! The input: what happened, as plain data. Deployments (gate's own and imported ones),
//! incidents and gate runs, with every instant in unix milliseconds. Callers build a
//! [`History`] from their store or from an import file; this module only defines its shape and
//! the few facts that follow from one record alone (for example whether a deployment ended).

use serde::{Deserialize, Serialize};

/// Everything the metrics are computed from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub deployments: Vec<Deployment>,
    pub incidents: Vec<Incident>,
    pub runs: Vec<GateRun>,
}

/// Who recorded a deployment: gate itself, or an import of another tool's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Gate,
    External,
}

/// How a deployment ended (or that it has not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// It reached 100% of traffic.
    Promoted,
    /// Traffic went back to the previous version: by gate's analysis (`automatic`) or by a person.
    RolledBack { automatic: bool },
    /// A person stopped it before promotion, not because it failed.
    Aborted,
    /// It broke on its way out (a step failed, the router refused, ...).
    Failed,
    /// Still rolling out: it counts in no period.
    InProgress,
}

/// One commit carried by a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    pub sha: String,
    /// When it was committed; imports may not know.
    pub committed_at: Option<i64>,
}

/// One deployment of one version of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub service: String,
    pub version: String,
    pub source: Source,
    pub started_at: i64,
    /// Promoted: when it reached 100%; otherwise when it ended.
    pub finished_at: Option<i64>,
    pub outcome: Outcome,
    /// It served any production traffic (a canary step, or 100%).
    pub reached_users: bool,
    /// The commits it carries, head first; each counts for lead time.
    pub commits: Vec<Commit>,
    /// Marked as made to fix a production problem.
    pub hotfix: bool,
    /// It is itself a redeploy of an earlier version, not a new change.
    pub rollback: bool,
    /// Failure detected: the automatic rollback's decision or the manual rollback's start.
    pub detected_at: Option<i64>,
    /// Traffic fully back on a good version.
    pub recovered_at: Option<i64>,
}

/// A production incident, optionally blamed on one deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub service: String,
    pub started_at: i64,
    pub resolved_at: Option<i64>,
    /// The id of the deployment that caused it.
    pub caused_by: Option<String>,
}

/// How a gate run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Passed,
    Failed,
    Error,
    Cancelled,
    Running,
}

/// How one scenario of a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioOutcome {
    Passed,
    Flaky,
    Failed,
    Error,
    Skipped,
}

/// One scenario's result within a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    pub outcome: ScenarioOutcome,
}

/// One run of the test gate for one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRun {
    pub id: String,
    pub commit: String,
    pub submitted_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub outcome: RunOutcome,
    pub scenarios: Vec<ScenarioResult>,
}

impl Deployment {
    /// When it ended, or `None` while it is in progress (whatever `finished_at` says).
    pub fn ended_at(&self) -> Option<i64> {
        match self.outcome {
            Outcome::InProgress => None,
            _ => self.finished_at,
        }
    }

    /// A new change that users saw: the population of change failure rate and rework rate.
    /// Rollback deployments are not new changes, and aborted ones were stopped by a person.
    pub fn is_change(&self) -> bool {
        self.reached_users
            && !self.rollback
            && !matches!(self.outcome, Outcome::Aborted | Outcome::InProgress)
    }

    /// Promoted and not itself a rollback: what deployment frequency counts.
    pub fn is_successful_change(&self) -> bool {
        self.outcome == Outcome::Promoted && !self.rollback
    }
}

impl RunOutcome {
    /// Passed, failed and error are verdicts; cancelled and running are not.
    pub fn is_verdict(self) -> bool {
        matches!(self, Self::Passed | Self::Failed | Self::Error)
    }
}
