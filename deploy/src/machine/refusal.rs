//! [`Refusal`]: an input that makes no sense in the deployment's phase.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::deployment::Phase;

/// Why an input was refused. The state is unchanged; the server shows the message to the
/// person who sent it (or logs it, for the controller's own inputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The input's name: "promote", "observation", …
    pub input: String,
    pub phase: Phase,
    /// What is wrong and, where there is one, what to do instead.
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} refused: the deployment is {}: {}",
            self.input, self.phase, self.reason
        )
    }
}

impl std::error::Error for Refusal {}
