//! [`Input`]: what happens to a deployment, as the controller reports it.

use serde::{Deserialize, Serialize};

use crate::analysis::Window;

/// One event for a deployment. Every input carries `at`, unix milliseconds: the machine reads
/// no clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input {
    /// The deploy hook brought the new version up.
    Ready { at: i64 },
    /// A deploy hook failed.
    HookFailed { at: i64, reason: String },
    /// A sample of the router's counters during a canary step, every `interval`: the window
    /// and the synthetic checks are counted since the step began (since the last
    /// [`Command::StartWindow`](super::Command::StartWindow)).
    Observed {
        at: i64,
        window: Window,
        synthetic: SyntheticTally,
    },
    /// A person sends all traffic to the new version now.
    Promote { at: i64, actor: String },
    /// A person moves the canary on to the next step (or promotes it from the last judged
    /// one); how a step with no hold, or a held one, goes on.
    Advance { at: i64, actor: String },
    /// A person stops the deployment before promotion.
    Abort {
        at: i64,
        actor: String,
        reason: String,
    },
    /// A person rolls the new version back, during the canary or after promotion.
    Rollback {
        at: i64,
        actor: String,
        reason: String,
    },
    /// The router cannot be reached, or fell back to stable by itself.
    RouterLost { at: i64, reason: String },
}

/// The synthetic browser checks run against the canary since the step began.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticTally {
    pub runs: u32,
    pub failed: u32,
    /// The id of the last failed run, for the evidence link.
    pub last_failed_run: Option<String>,
}

impl Input {
    pub fn at(&self) -> i64 {
        match self {
            Input::Ready { at }
            | Input::HookFailed { at, .. }
            | Input::Observed { at, .. }
            | Input::Promote { at, .. }
            | Input::Advance { at, .. }
            | Input::Abort { at, .. }
            | Input::Rollback { at, .. }
            | Input::RouterLost { at, .. } => *at,
        }
    }

    /// The input's name in refusals: "promote", "observation", …
    pub fn name(&self) -> &'static str {
        match self {
            Input::Ready { .. } => "ready",
            Input::HookFailed { .. } => "hook failure",
            Input::Observed { .. } => "observation",
            Input::Promote { .. } => "promote",
            Input::Advance { .. } => "advance",
            Input::Abort { .. } => "abort",
            Input::Rollback { .. } => "rollback",
            Input::RouterLost { .. } => "router lost",
        }
    }
}
