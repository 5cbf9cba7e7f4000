//! The audit log: every deploy, step, promotion, rollback, override and configuration change,
//! hash-chained so that a change to a stored entry is found.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AuditEntry {
    pub seq: u64,
    /// RFC 3339.
    pub at: String,
    /// A token's name, or `gate` for what gate did by itself.
    pub actor: String,
    /// `deploy_requested`, `override`, `step_started`, `promoted`, `rolled_back`, `aborted`, …
    pub action: String,
    pub service: Option<String>,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    pub commit: Option<String>,
    pub deployment: Option<String>,
    pub reason: Option<String>,
    /// The git commit of the server's configuration (`gate.toml` and scenarios) when it was
    /// written: `<sha>`, `<sha>-dirty` with uncommitted changes, or absent outside git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_commit: Option<String>,
    /// SHA-256 (hex) of the entry before.
    pub prev_hash: String,
    /// SHA-256 (hex) of this entry's canonical content.
    pub hash: String,
}

/// `GET /api/v1/audit`: oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
    /// Pass as `?after=` for the next page.
    pub next: Option<u64>,
}

/// `GET /api/v1/audit/verify`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AuditVerification {
    /// The whole chain holds.
    pub ok: bool,
    pub entries: u64,
    /// The last entry's hash: keep it, and compare later to catch entries cut off the end.
    pub head: String,
    /// The first entry that does not hold, and why.
    pub broken_at: Option<u64>,
    pub problem: Option<String>,
}
