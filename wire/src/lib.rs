//! The gate server's HTTP API, as types: one definition that the server, `gate agent` and the
//! CLI (`gate submit`, `gate wait`, `gate status`) share, and that the OpenAPI document at
//! `/api/v1/openapi.json` is generated from (every type derives its schema).
//!
//! JSON field names are snake_case; requests reject unknown fields, so a typo in a CI script is
//! an error rather than a silently ignored option. This crate holds no logic beyond naming
//! states: the server maps its own records onto these types, and the store never sees them.
//!
//! Layout: [`runs`] (submitting and reading runs), [`commits`] (a commit's combined verdict),
//! [`agent`] (the lease protocol agents speak), [`deployments`] (canaries, promotions and
//! rollbacks), [`digests`] (the weekly digest's outbox), [`audit`] (the audit log),
//! [`history`] (deployments and incidents from outside gate), [`events`] (the server's event
//! stream), [`error`] (every error answer).

pub mod agent;
pub mod audit;
pub mod commits;
pub mod deployments;
pub mod digests;
pub mod error;
pub mod events;
pub mod history;
pub mod runs;

pub use agent::{
    ArtifactUpload, Heartbeat, JobResult, Lease, LeaseGrant, LeaseRequest, SourceFile,
};
pub use audit::{AuditEntry, AuditList, AuditVerification};
pub use commits::{CommitState, CommitStatus, FailingScenario, RunSummary};
pub use deployments::{
    ActionRequest, Decision, DeployPhase, DeployRequest, DeploymentList, DeploymentView, LogLine,
    PlannedStep, RollbackRequest, RollbackResult, ServiceList, ServiceView, TrafficCounts,
};
pub use digests::{DigestList, DigestPreview, DigestSent, DigestView};
pub use error::ErrorBody;
pub use events::Event;
pub use gate_runner::result::{Outcome, ScenarioResult};
pub use history::{
    CarriedCommit, ExternalDeployment, ExternalOutcome, HistoryImport, HistoryRecorded, Incident,
    MAX_HISTORY_BYTES, MAX_HISTORY_ROWS,
};
pub use runs::{JobState, JobView, RunLinks, RunList, RunState, RunView, SubmitRun};

/// The version of the API under `/api/v1`. Changes within it only add optional fields.
pub const API_VERSION: u32 = 1;

/// The version of the scenario result payload agents upload ([`JobResult::result_version`]).
/// A server refuses results of a version it does not know instead of misreading them.
pub const RESULT_VERSION: u32 = 1;
