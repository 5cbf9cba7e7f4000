//! The agent protocol: `gate agent` leases scenario jobs, keeps them with heartbeats, and
//! uploads each result with its artifact files, or hands the job back.

use gate_runner::result::ScenarioResult;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// A scenario file as it was when its run was submitted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LeaseGrant {
    pub leases: Vec<Lease>,
}

/// `POST /api/v1/agent/jobs/{id}/heartbeat` and `.../release` carry the lease token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub token: String,
}

fn first_version() -> u32 {
    1
}

/// `POST /api/v1/agent/jobs/{id}/result`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JobResult {
    pub token: String,
    /// The version of `result`'s format ([`crate::RESULT_VERSION`]); 1 when left out.
    #[serde(default = "first_version")]
    pub result_version: u32,
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
