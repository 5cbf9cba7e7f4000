//! [`Deployment`], the state the server persists for one deployment, and its [`Phase`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A deployment's state between two inputs: all the transition function needs, besides the
/// policy (which the server stores with the deployment, so that editing the config does not
/// change a rollout under way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub phase: Phase,
    /// Unix milliseconds at which the phase began; for a canary, the current step (the start
    /// of its window).
    pub since: i64,
}

/// Where a deployment is. `Pending → Canary { step } → Promoted | RolledBack | Aborted |
/// Failed`; a promoted deployment may still be rolled back by a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// The deploy hook is bringing the new version up; it gets no traffic.
    Pending,
    /// The canary gets `weight`% of the traffic at step `step` (0-based) of the policy.
    Canary {
        step: usize,
        weight: u8,
        /// Waiting for a person: a step with no hold, or an undecided step whose policy says
        /// `Hold`. The gate still rolls back a failing canary, but does not move it on.
        held: bool,
    },
    /// All traffic on the new version.
    Promoted,
    /// Traffic back on stable because the canary was worse, or a person said so.
    RolledBack,
    /// Stopped by a person before promotion; traffic back on stable.
    Aborted,
    /// The machinery failed (a deploy hook, the router): traffic back on stable, and the
    /// canary not judged.
    Failed,
}

impl Deployment {
    /// A new deployment whose deploy hook starts at `at`.
    pub fn new(at: i64) -> Self {
        Deployment {
            phase: Phase::Pending,
            since: at,
        }
    }
}

impl Phase {
    /// Promoted, rolled back, aborted or failed. A promoted deployment can still be rolled
    /// back; the others take no input.
    pub fn is_over(&self) -> bool {
        !matches!(self, Phase::Pending | Phase::Canary { .. })
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::Pending => f.write_str("pending"),
            Phase::Canary {
                step,
                weight,
                held: false,
            } => write!(f, "canary step {} at {weight}%", step + 1),
            Phase::Canary {
                step,
                weight,
                held: true,
            } => write!(
                f,
                "canary step {} at {weight}%, held for a person",
                step + 1
            ),
            Phase::Promoted => f.write_str("promoted"),
            Phase::RolledBack => f.write_str("rolled back"),
            Phase::Aborted => f.write_str("aborted"),
            Phase::Failed => f.write_str("failed"),
        }
    }
}
