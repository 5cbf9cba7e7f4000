//! Bearer tokens with scopes. Tokens are configured as hashes (`sha256:<hex>`), never stored
//! or logged in clear, and compared in constant time.
//!
//! (Skeleton: the scope model is the contract; the rest is being written.)

use serde::{Deserialize, Serialize};

/// What a token may do. Higher scopes include lower ones where noted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Read runs, verdicts, reports and pages.
    Read,
    /// Submit, cancel and re-run runs (includes `read`).
    Submit,
    /// Run jobs as an agent: lease, heartbeat, upload results.
    Agent,
    /// Deployments and rollbacks (later).
    Deploy,
    /// Everything.
    Admin,
}
