//! The release flow: its stages in order (gate's and the manual ones), each with its figures
//! over the last 90 days, the risks found in it, and recording that a person performed a
//! manual stage for a release.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET /api/v1/flow`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Flow {
    pub stages: Vec<FlowStage>,
    pub risks: Vec<FlowRisk>,
    /// Remarks on the flow as a whole (for example that no manual stage is declared).
    pub notes: Vec<String>,
    /// `[release]` is in gate.toml; otherwise the stages are the ones gate runs.
    pub declared: bool,
    /// The figures cover this many days up to now.
    pub window_days: u32,
    /// A manual stage must have been performed in this many of the latest releases.
    pub recent_releases: u32,
    /// Those releases, newest first.
    pub releases: Vec<String>,
}

/// One stage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FlowStage {
    /// 1, 2, 3, … in release order.
    pub position: u32,
    pub name: String,
    /// `gate`, `canary`, `promotion`, `digest` or `manual`.
    pub kind: String,
    /// gate does it (its own kinds, and manual stages marked `automated-by-gate`).
    pub automated: bool,
    pub owners: Vec<String>,
    pub runbook: Option<String>,
    /// Seconds a manual stage usually takes, as declared.
    pub usually_seconds: Option<f64>,
    /// What gate's configuration says about it ("shop: 5% for 10m, 100%").
    pub detail: Vec<String>,
    /// Runs in the window (for a manual stage: recorded performances).
    pub runs: u32,
    pub median_seconds: Option<f64>,
    /// `m:ss` or `h:mm:ss`.
    pub median: Option<String>,
    /// The median is the declared `usually`: no duration was recorded.
    pub median_is_usual: bool,
    /// 0 to 1; `None` when nothing ran or failures are not recorded (manual stages).
    pub failure_share: Option<f64>,
    /// The latest performance of a manual stage.
    pub last_performed: Option<StagePerformed>,
    /// `single_owner`, `no_runbook`, `not_performed`.
    pub risks: Vec<String>,
}

/// A risk and what to do about it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct FlowRisk {
    pub stage: String,
    /// `single_owner` (bus factor one), `no_runbook`, `not_performed` (in the latest
    /// releases).
    pub kind: String,
    pub message: String,
    pub advice: String,
}

/// `POST /api/v1/flow/{stage}/done`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StageDone {
    /// The release's version label (as deployments name versions).
    pub release: String,
    /// Who performed it (default: the token's name).
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// How long it took, in seconds.
    #[serde(default)]
    pub took_seconds: Option<f64>,
}

/// A manual stage performed for a release.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct StagePerformed {
    pub stage: String,
    pub release: String,
    pub by: String,
    /// The token that recorded it.
    pub recorded_by: String,
    /// RFC 3339.
    pub at: String,
    pub note: Option<String>,
    pub took_seconds: Option<f64>,
}
