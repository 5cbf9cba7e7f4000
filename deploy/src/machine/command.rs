//! [`Command`]: what the controller must do after a transition.

use serde::{Deserialize, Serialize};

/// One thing for the controller to do. The commands of one [`Outcome`](super::Outcome) are
/// carried out in order, and a failed one is retried before the next: the down hook must not
/// run while the router still sends the canary traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Send `canary_weight`% of requests to the canary (0: all to stable).
    Route { canary_weight: u8 },
    /// A new step began: take a fresh baseline sample of the router's counters and reset the
    /// synthetic tally; later observations count from here.
    StartWindow,
    /// Start the synthetic browser checks against the canary.
    StartSynthetic,
    /// Stop them.
    StopSynthetic,
    /// Run the deploy's down hook for the canary (after a rollback, an abort or a failure).
    RunDownHook,
}
