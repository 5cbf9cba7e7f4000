//! Recording history that happened outside gate, so a team's DORA metrics start with its real
//! past: production deployments made by other tools and incidents. Times are RFC 3339.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a deployment made outside gate ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExternalOutcome {
    /// It reached all users and stayed.
    Success,
    /// A person rolled it back.
    RolledBack,
    /// A tool rolled it back automatically.
    AutoRolledBack,
    /// It failed in production (a failed change, fixed forward or by hand).
    Failed,
}

/// A commit a deployment carried.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CarriedCommit {
    /// Full SHA (40 or 64 hex digits).
    pub sha: String,
    /// When it was committed (RFC 3339). Without it, the time CI reported with the commit's
    /// gate run, else its first submission, else the commit does not count for lead time.
    #[serde(default)]
    pub committed_at: Option<String>,
}

/// `POST /api/v1/deployments/external`: a production deployment made outside gate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ExternalDeployment {
    /// Your id for it (letters, digits, `.`, `_`, `:`, `-`; at most 128). Recording the same
    /// id again replaces it. Without one, gate derives it from the service and finish time.
    #[serde(default)]
    pub id: Option<String>,
    pub service: String,
    #[serde(default)]
    pub version: Option<String>,
    /// The commits it carried, head first; each counts for lead time.
    #[serde(default)]
    pub commits: Vec<CarriedCommit>,
    /// Defaults to `finished_at`.
    #[serde(default)]
    pub started_at: Option<String>,
    /// When it reached all users (or ended).
    pub finished_at: String,
    pub outcome: ExternalOutcome,
    /// Made to fix a production problem.
    #[serde(default)]
    pub hotfix: bool,
    /// A redeploy of an earlier version: not a new change.
    #[serde(default)]
    pub rollback: bool,
    /// For a failed change: when the failure was detected …
    #[serde(default)]
    pub detected_at: Option<String>,
    /// … and when all users were on a good version again.
    #[serde(default)]
    pub recovered_at: Option<String>,
}

/// `POST /api/v1/incidents`: a production incident.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// As for deployments; derived when missing.
    #[serde(default)]
    pub id: Option<String>,
    pub service: String,
    pub title: String,
    pub started_at: String,
    #[serde(default)]
    pub resolved_at: Option<String>,
    /// The deployment (gate's or external) that caused it: that change counts as failed.
    #[serde(default)]
    pub caused_by: Option<String>,
}

/// Rows one `POST /api/v1/history` may hold.
pub const MAX_HISTORY_ROWS: usize = 100_000;
/// The largest body `POST /api/v1/history` accepts (the server's `max-body` applies to the
/// other routes): enough for [`MAX_HISTORY_ROWS`] rows with a few commits each, so one import
/// is one request and so one transaction.
pub const MAX_HISTORY_BYTES: usize = 64 * 1024 * 1024;

/// `POST /api/v1/history`: many deployments and incidents at once, all or nothing.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HistoryImport {
    #[serde(default)]
    pub deployments: Vec<ExternalDeployment>,
    #[serde(default)]
    pub incidents: Vec<Incident>,
}

/// What a recording did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct HistoryRecorded {
    /// Rows that were new.
    pub created: u32,
    /// Rows that replaced one with the same id.
    pub replaced: u32,
    /// The ids of the deployments and incidents recorded, in the order sent.
    pub ids: Vec<String>,
}
