//! Deploying a service: a canary of a new version, promoted or rolled back by gate's analysis
//! or by a person, and rollbacks of what is serving.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/deployments`: deploy `version` (built from `commit`) of `service` through its
/// canary. Refused unless the commit's gate verdict is `success`; `force` (admin scope, with a
/// `reason`) deploys anyway, audited as an override.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeployRequest {
    pub service: String,
    /// The version label (letters, digits, `.`, `_`, `-`), as the deploy hooks know it.
    pub version: String,
    /// Full commit SHA the version was built from.
    pub commit: String,
    #[serde(default)]
    pub force: bool,
    /// Why (required with `force`; recorded in the audit log).
    pub reason: Option<String>,
    /// Made to fix a production problem: counts as rework in the DORA metrics.
    #[serde(default)]
    pub hotfix: bool,
    /// Other commits (full SHAs) this version carries since the one serving, as CI lists them:
    /// each counts for lead time. The head commit need not be listed.
    #[serde(default)]
    pub commits: Vec<String>,
}

/// Where a deployment is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DeployPhase {
    /// The new version is being brought up (its deploy hook runs).
    Pending,
    /// The new version takes a share of traffic, step by step.
    Canary,
    /// The new version takes all traffic.
    Promoted,
    /// Traffic went back to the stable version (by gate's analysis or a person).
    RolledBack,
    /// A person stopped the canary; traffic went back to stable.
    Aborted,
    /// The new version could not be brought up.
    Failed,
}

impl DeployPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            DeployPhase::Pending => "pending",
            DeployPhase::Canary => "canary",
            DeployPhase::Promoted => "promoted",
            DeployPhase::RolledBack => "rolled_back",
            DeployPhase::Aborted => "aborted",
            DeployPhase::Failed => "failed",
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, DeployPhase::Pending | DeployPhase::Canary)
    }
}

/// A version's traffic in the current step.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TrafficCounts {
    pub requests: u64,
    pub errors: u64,
    /// `errors / requests`, or `None` without requests.
    pub error_rate: Option<f64>,
    pub p95_ms: Option<f64>,
}

/// The latest analysis of the canary against stable.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Decision {
    /// `healthy`, `failing` or `inconclusive`.
    pub judgement: String,
    /// The numbers, in a line: rates, counts, the statistic and the bound it is held against.
    pub summary: String,
    pub canary: TrafficCounts,
    pub stable: TrafficCounts,
    /// Unix milliseconds.
    pub at_ms: i64,
}

/// One step of the canary's plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PlannedStep {
    /// Percent of traffic to the new version.
    pub weight: u8,
    /// How long the step holds at least (`None`: until a person moves it, or the last step).
    pub hold_ms: Option<u64>,
}

/// A line of a deployment's log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LogLine {
    /// RFC 3339.
    pub at: String,
    /// `transition`, `hook`, `decision` or `note`.
    pub kind: String,
    pub text: String,
}

/// `GET /api/v1/deployments/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeploymentView {
    pub id: String,
    pub service: String,
    pub version: String,
    pub commit: String,
    /// Where the new version answers, once it is up.
    pub url: Option<String>,
    /// The version that was serving when the deployment began.
    pub from_version: Option<String>,
    pub phase: DeployPhase,
    /// The canary step (0-based) while in `canary`.
    pub step: Option<u32>,
    /// Percent of traffic the new version gets now.
    pub weight: u8,
    pub plan: Vec<PlannedStep>,
    /// When the current step began (RFC 3339), while in `canary`: with `plan[step].hold_ms`
    /// it says when the step may move on.
    #[serde(default)]
    pub step_started_at: Option<String>,
    /// The canary waits for a person (`advance` or `promote`): its step has no hold, or its
    /// data stayed inconclusive and the policy says to hold. The gate still rolls back a
    /// failing canary.
    #[serde(default)]
    pub held: bool,
    pub decision: Option<Decision>,
    /// Who asked for it (a token's name).
    pub actor: String,
    pub reason: Option<String>,
    /// Deployed although its commit's verdict was not success (an admin's override).
    pub forced: bool,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
    /// Made to fix a production problem.
    #[serde(default)]
    pub hotfix: bool,
    /// Commits carried besides `commit`.
    #[serde(default)]
    pub commits: Vec<String>,
    /// When its failure was detected (RFC 3339): the automatic rollback's decision, the
    /// manual rollback's request, or a later rollback away from it.
    #[serde(default)]
    pub detected_at: Option<String>,
    /// When all traffic was back on a good version after that.
    #[serde(default)]
    pub recovered_at: Option<String>,
    /// The git commit of the server's configuration (`gate.toml` and scenarios) when it was
    /// written: `<sha>`, `<sha>-dirty` with uncommitted changes, or absent outside git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_commit: Option<String>,
    /// The deployment's log (only in the answer for one deployment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogLine>,
    /// The deployment's page.
    pub html: String,
}

/// `GET /api/v1/deployments`: newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeploymentList {
    pub deployments: Vec<DeploymentView>,
    /// Pass as `?before=` for the next page.
    pub next: Option<String>,
}

/// `POST /api/v1/deployments/{id}/promote` and `…/abort`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Why (required to abort; recorded in the audit log).
    pub reason: Option<String>,
}

/// `POST /api/v1/services/{name}/rollback`: all traffic at once to another version. Without
/// `to_version` or `to_time`: a canary in progress is rolled back, otherwise the service goes
/// back to the version that served before the current one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RollbackRequest {
    /// A version that served this service before.
    pub to_version: Option<String>,
    /// The version that was serving at this time: RFC 3339, or `HH:MM` today (UTC) — "the
    /// site started failing at 14:32: roll back to 14:28".
    pub to_time: Option<String>,
    /// Why (recorded in the audit log).
    pub reason: String,
}

/// What a service serves.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ServiceView {
    pub name: String,
    /// The version serving now (`None` before gate knows one).
    pub version: Option<String>,
    pub url: Option<String>,
    pub commit: Option<String>,
    /// The deployment in progress, if any.
    pub deployment: Option<String>,
    /// `gate proxy` or `haproxy`.
    pub router: String,
}

/// `GET /api/v1/services`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ServiceList {
    pub services: Vec<ServiceView>,
}

/// What a rollback did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RollbackResult {
    pub service: String,
    /// The version traffic left.
    pub from_version: String,
    /// The version that serves now.
    pub to_version: String,
    /// The canary that was rolled back, if one was in progress.
    pub deployment: Option<DeploymentView>,
}
