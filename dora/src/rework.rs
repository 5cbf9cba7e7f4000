//! Deployment rework rate: of the period's changes (as for change failure rate), the share
//! that were unplanned: marked `hotfix`, or started within the rework window after a failed
//! change of the same service was detected or a rollback deployment of it started (at any
//! time, also before the period). DORA publishes no bands for it.

use serde::Serialize;

use crate::change::{Better, Change};
use crate::index::Scope;
use crate::stats::ratio;

/// Unplanned deployments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rework {
    /// Changes that reached users.
    pub deployments: u64,
    /// Of those, unplanned: `hotfixes + after_failure`.
    pub rework: u64,
    /// Marked as hotfixes.
    pub hotfixes: u64,
    /// Not marked, but started within the window after a failure or rollback.
    pub after_failure: u64,
    /// `rework / deployments`, a fraction.
    pub rate: Option<f64>,
    /// The window used, in milliseconds.
    pub window_ms: i64,
    /// Of the rate; less is better.
    pub change: Change,
}

impl Rework {
    pub(crate) fn measure(scope: &Scope) -> Self {
        let window_ms = scope.settings.rework_window_ms;
        let mut deployments = 0;
        let mut hotfixes = 0;
        let mut after_failure = 0;
        for d in scope.deployments().iter().filter(|d| d.is_change()) {
            deployments += 1;
            if d.hotfix {
                hotfixes += 1;
                continue;
            }
            let triggers = scope.index.rework_triggers(&d.service);
            // The latest trigger strictly before the start.
            let before = triggers.partition_point(|t| *t < d.started_at);
            if before > 0 && d.started_at - triggers[before - 1] <= window_ms {
                after_failure += 1;
            }
        }
        let rework = hotfixes + after_failure;
        let rate = ratio(rework, deployments);
        Self {
            deployments,
            rework,
            hotfixes,
            after_failure,
            rate,
            window_ms,
            change: Change::between(rate, None, Better::Lower),
        }
    }

    pub(crate) fn compare(&mut self, previous: &Self) {
        self.change = Change::between(self.rate, previous.rate, Better::Lower);
    }
}
