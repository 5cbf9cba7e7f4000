//! What the server keeps of a deployment beside the state machine, in the deployment row's
//! `machine` column: the machine's state, the counters the current step's window starts from,
//! the synthetic checks, the commands still to carry out, and the latest decision.

use gate_deploy::{Command, Deployment, Judgement, SyntheticTally, Window};
use gate_traffic::Sample;
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub machine: Deployment,
    /// The counters when the current window began.
    pub baseline: Option<Baseline>,
    pub synthetic: Synthetic,
    /// Commands of the last transition not carried out yet (in order; the first failed).
    pub pending: Vec<Command>,
    /// The canary's weight as last routed.
    pub weight: u8,
    pub decision: Option<Decision>,
}

/// Where a step's window begins: the router's counters then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub at: i64,
    pub sample: Sample,
}

/// Synthetic browser checks against the canary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Synthetic {
    pub active: bool,
    /// The run in progress.
    pub run: Option<String>,
    /// Runs of the current step.
    pub tally: SyntheticTally,
    /// Why checks are off although the policy asks for them (no scenario has the tag).
    pub disabled: Option<String>,
}

/// The latest judgement, with the window it was made on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub at: i64,
    pub judgement: Judgement,
    pub window: Window,
}

impl Progress {
    pub fn new(at: i64) -> Progress {
        Progress {
            machine: Deployment::new(at),
            baseline: None,
            synthetic: Synthetic::default(),
            pending: Vec::new(),
            weight: 0,
            decision: None,
        }
    }

    pub fn to_json(&self) -> String {
        // Plain data: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Progress, StoreError> {
        serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("deployment progress: {e}")))
    }
}
