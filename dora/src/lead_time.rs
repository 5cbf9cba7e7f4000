//! Lead time for changes: for each commit, from its commit time to the end of the first
//! promoted, non-rollback deployment of its service that carried it, counted in the period in
//! which that promotion finished. A commit carried by several deployments counts once per
//! service. Commits without a commit time, or whose value is not positive, are left out and
//! counted as such.

use serde::Serialize;

use crate::band::Band;
use crate::change::{Better, Change};
use crate::index::Scope;
use crate::stats::percentile;

/// Commit-to-production times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    /// Commits with a value.
    pub commits: u64,
    /// Commits first promoted in the period without a usable value.
    pub left_out: u64,
    /// Nearest-rank median.
    pub median_ms: Option<i64>,
    /// Nearest-rank 90th percentile.
    pub p90_ms: Option<i64>,
    /// From the median.
    pub band: Option<Band>,
    /// Of the median; less is better.
    pub change: Change,
}

impl LeadTime {
    pub(crate) fn measure(scope: &Scope) -> Self {
        let samples = scope.lead_samples();
        let mut values: Vec<i64> = samples.iter().filter_map(|s| s.lead_ms).collect();
        let left_out = (samples.len() - values.len()) as u64;
        let median_ms = percentile(&mut values, 50);
        let p90_ms = percentile(&mut values, 90);
        Self {
            commits: values.len() as u64,
            left_out,
            median_ms,
            p90_ms,
            band: median_ms.map(Band::for_lead_time),
            change: Change::between(median_ms.map(|v| v as f64), None, Better::Lower),
        }
    }

    pub(crate) fn compare(&mut self, previous: &Self) {
        self.change = Change::between(
            self.median_ms.map(|v| v as f64),
            previous.median_ms.map(|v| v as f64),
            Better::Lower,
        );
    }
}
