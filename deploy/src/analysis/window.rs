//! [`Window`]: what the router counted for each version since the current step began.

use serde::{Deserialize, Serialize};

/// The counts of one version (canary or stable) since the step began.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub requests: u64,
    /// Failed requests (5xx, connection errors), at most `requests`.
    pub errors: u64,
    /// The 95th percentile of response time over the window, when the router reports it.
    pub p95_ms: Option<f64>,
}

/// Canary and stable counts over the same stretch of time: since the current step began.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub canary: Counts,
    pub stable: Counts,
}

impl Counts {
    /// Errors over requests; 0 for no requests.
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.errors as f64 / self.requests as f64
        }
    }

    /// The same counts with `errors` cut to `requests`, so that a router's glitch (a counter
    /// read between two updates) cannot produce a rate above 100%.
    pub(crate) fn consistent(self) -> Counts {
        Counts {
            errors: self.errors.min(self.requests),
            ..self
        }
    }
}
