//! Failed deployment recovery time: for each failed change of the period (see
//! [`crate::change_failure`]), detection to full recovery (`recovered_at - detected_at`) when
//! both are recorded, otherwise its first linked incident's start to resolution. The headline
//! (MTTR in the digest) is the nearest-rank median; the mean is reported beside it.

use serde::Serialize;

use crate::band::Band;
use crate::change::{Better, Change};
use crate::index::Scope;
use crate::stats::{mean, median};

/// How long failed changes took to recover from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovery {
    /// Failed changes in the period.
    pub failures: u64,
    /// Of those, with a recovery time.
    pub measured: u64,
    /// Nearest-rank median: the headline MTTR.
    pub median_ms: Option<i64>,
    pub mean_ms: Option<i64>,
    /// From the median.
    pub band: Option<Band>,
    /// Of the median; less is better.
    pub change: Change,
}

impl Recovery {
    pub(crate) fn measure(scope: &Scope) -> Self {
        let index = scope.index;
        let mut failures = 0;
        let mut values = Vec::new();
        for d in scope.deployments() {
            if index.is_failed_change(d) {
                failures += 1;
                values.extend(index.recovery_ms(d));
            }
        }
        let mean_ms = mean(&values);
        let median_ms = median(&mut values);
        Self {
            failures,
            measured: values.len() as u64,
            median_ms,
            mean_ms,
            band: median_ms.map(Band::for_recovery),
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
