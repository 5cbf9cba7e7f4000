//! The seven-gate review: for each gate of the framework gate implements, whether this
//! pipeline has it — installed, partial or missing — with the evidence gate holds and, where
//! something is missing, exactly what to add (a `gate.toml` snippet). Pure: [`Evidence`] is
//! gathered by the service from the configuration and the store; [`review`] judges it;
//! [`markdown`] and [`text`] render it for a ticket or a terminal (the page and the JSON API
//! show the same [`Review`]).

mod render;
mod rules;

pub use render::{markdown, text};
pub use rules::review;

use serde::Serialize;

/// What gate knows about the pipeline, as plain data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Scenarios in the configured suite, and how many are tagged `critical`.
    pub scenarios: usize,
    pub critical_scenarios: usize,
    /// Commit statuses are published (`[publish]`) as a required check can read them.
    pub statuses_published: bool,
    /// When a status was last posted to the forge, within the last 7 days.
    pub last_status_posted: Option<String>,
    /// Who read commit statuses from gate in the last 7 days (token names, newest first), with
    /// when: a merge check such as `gate wait` or a required CI job.
    pub status_readers: Vec<(String, String)>,
    /// Runs submitted in the last 7 days.
    pub runs_last_week: u64,
    /// The release flow is declared (`[release]`), with its risks' messages.
    pub flow_declared: bool,
    pub flow_risks: Vec<String>,
    /// The configuration's git state: `None` outside git; else whether it is clean, and
    /// whether the server refuses a dirty one.
    pub config_in_git: Option<bool>,
    pub require_committed_config: bool,
    /// `[parity]` with both environments, and whether deploys are held on a difference.
    pub parity_configured: bool,
    pub parity_holds_deploys: bool,
    /// The last comparison, by this server or another on its database.
    pub parity_last: Option<ParityLast>,
    /// Services, and those with a traffic router and canary steps (all services have a router
    /// once configured) and a `down` hook.
    pub services: Vec<ServiceEvidence>,
    /// Deployments finished in the last 30 days, and of those rolled back.
    pub deployments_last_month: u64,
    /// The last rollback's recovery time (detection to all traffic on a good version).
    pub last_recovery_ms: Option<i64>,
    /// The audit chain holds, with how many entries.
    pub audit_ok: bool,
    pub audit_entries: u64,
    /// `[digest]` with at least one channel, and when a digest was last delivered.
    pub digest_channels: Vec<String>,
    pub last_digest_delivered: Option<String>,
}

/// The last staging parity check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParityLast {
    /// When, as RFC 3339.
    pub at: String,
    /// `schedule` or `deploy`.
    pub trigger: String,
    /// Whether staging matched production; `None`: it could not be observed.
    pub matches: Option<bool>,
    /// The check's one line.
    pub summary: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceEvidence {
    pub name: String,
    /// `proxy` or `haproxy`.
    pub router: String,
    /// The canary's steps, e.g. `5% for 10m, 100%`.
    pub canary: String,
    pub down_hook: bool,
}

/// A gate's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Installed,
    Partial,
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Installed => "installed",
            Status::Partial => "partial",
            Status::Missing => "missing",
        }
    }
}

/// One gate, judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    /// 1 to 7.
    pub number: u8,
    /// Stable id: `test-gate`, `release-flow`, …
    pub id: &'static str,
    pub name: &'static str,
    pub status: Status,
    /// What gate holds that says so.
    pub evidence: Vec<String>,
    /// What to do, when not installed.
    pub advice: Vec<String>,
    /// A `gate.toml` snippet to add, when one is the fix.
    pub snippet: Option<&'static str>,
}

/// The seven gates, in order, and a one-line verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub gates: Vec<Gate>,
    /// `5 of 7 gates installed, 1 partial, 1 missing`.
    pub summary: String,
}
