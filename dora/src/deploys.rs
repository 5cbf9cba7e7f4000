//! The headline counts: how the changes that reached users in the period ended. `finished`
//! counts non-rollback deployments that ended in the period and reached users, and is the sum
//! of the other five.

use serde::Serialize;

use crate::history::Outcome;
use crate::index::Scope;

/// How the period's changes ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Deploys {
    /// Ended in the period, reached users, not a rollback deployment.
    pub finished: u64,
    /// Of those, promoted.
    pub successful: u64,
    pub auto_rolled_back: u64,
    pub rolled_back_by_hand: u64,
    pub failed: u64,
    /// Stopped by a person during the canary.
    pub aborted: u64,
}

impl Deploys {
    pub(crate) fn measure(scope: &Scope) -> Self {
        let mut counts = Self::default();
        for d in scope.deployments() {
            if !d.reached_users || d.rollback {
                continue;
            }
            let slot = match d.outcome {
                Outcome::Promoted => &mut counts.successful,
                Outcome::RolledBack { automatic: true } => &mut counts.auto_rolled_back,
                Outcome::RolledBack { automatic: false } => &mut counts.rolled_back_by_hand,
                Outcome::Failed => &mut counts.failed,
                Outcome::Aborted => &mut counts.aborted,
                // `Scope::deployments` yields ended deployments only.
                Outcome::InProgress => continue,
            };
            *slot += 1;
            counts.finished += 1;
        }
        counts
    }

    /// Successful over finished, `None` without any.
    pub fn success_rate(&self) -> Option<f64> {
        crate::stats::ratio(self.successful, self.finished)
    }
}
