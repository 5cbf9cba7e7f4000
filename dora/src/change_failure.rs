//! Change failure rate: failed changes over changes, where a change is a non-rollback
//! deployment that ended in the period and reached users, other than an aborted one. It failed
//! when it was rolled back (by gate or by hand), failed, or an incident names it as its cause.

use serde::Serialize;

use crate::band::Band;
use crate::change::{Better, Change};
use crate::history::Outcome;
use crate::index::Scope;
use crate::stats::ratio;

/// The share of changes that needed intervention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeFailure {
    /// Changes that reached users (aborted and rollback deployments excluded).
    pub changes: u64,
    /// Of those, rolled back, failed, or blamed by an incident.
    pub failed: u64,
    /// Of those, the ones that only an incident marks as failed.
    pub failed_by_incident_only: u64,
    /// `failed / changes`, a fraction.
    pub rate: Option<f64>,
    pub band: Option<Band>,
    /// Of the rate; less is better.
    pub change: Change,
}

impl ChangeFailure {
    pub(crate) fn measure(scope: &Scope) -> Self {
        let mut changes = 0;
        let mut failed = 0;
        let mut failed_by_incident_only = 0;
        for d in scope.deployments().iter().filter(|d| d.is_change()) {
            changes += 1;
            if scope.index.is_failed_change(d) {
                failed += 1;
                if d.outcome == Outcome::Promoted {
                    failed_by_incident_only += 1;
                }
            }
        }
        let rate = ratio(failed, changes);
        Self {
            changes,
            failed,
            failed_by_incident_only,
            rate,
            band: rate.map(Band::for_change_failure),
            change: Change::between(rate, None, Better::Lower),
        }
    }

    pub(crate) fn compare(&mut self, previous: &Self) {
        self.change = Change::between(self.rate, previous.rate, Better::Lower);
    }
}
