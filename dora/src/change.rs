//! Period-over-period change of one figure: the previous value, the difference, the relative
//! change and whether the move is an improvement. Which direction is better belongs to each
//! metric and is passed in.

use serde::Serialize;

/// Which way a figure improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (deployments, gate pass rate).
    Higher,
    /// Less is better (lead time, failure rate, recovery time, rework).
    Lower,
}

/// How a figure moved since the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// The figure in the previous period, if it had one.
    pub previous: Option<f64>,
    /// Current minus previous, when both exist.
    pub difference: Option<f64>,
    /// The difference as a percentage of the previous value (none when that is 0).
    pub relative_percent: Option<f64>,
    /// `true` if it improved, `false` if it got worse, `None` if it stayed the same or either
    /// side has no value.
    pub better: Option<bool>,
}

impl Change {
    /// Compares `current` with `previous`.
    pub fn between(current: Option<f64>, previous: Option<f64>, direction: Better) -> Self {
        let difference = current.zip(previous).map(|(c, p)| c - p);
        let relative_percent = difference
            .zip(previous)
            .filter(|(_, p)| *p != 0.0)
            .map(|(d, p)| d / p.abs() * 100.0);
        let better = difference.filter(|d| *d != 0.0).map(|d| match direction {
            Better::Higher => d > 0.0,
            Better::Lower => d < 0.0,
        });
        Self {
            previous,
            difference,
            relative_percent,
            better,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_deploys_is_better() {
        let c = Change::between(Some(14.0), Some(11.0), Better::Higher);
        assert_eq!(c.difference, Some(3.0));
        assert!((c.relative_percent.unwrap() - 27.272_727).abs() < 1e-4);
        assert_eq!(c.better, Some(true));
    }

    #[test]
    fn longer_lead_time_is_worse() {
        let c = Change::between(Some(10.0), Some(8.0), Better::Lower);
        assert_eq!(c.relative_percent, Some(25.0));
        assert_eq!(c.better, Some(false));
    }

    #[test]
    fn from_zero_has_no_relative_change() {
        let c = Change::between(Some(2.0), Some(0.0), Better::Higher);
        assert_eq!(c.difference, Some(2.0));
        assert_eq!(c.relative_percent, None);
        assert_eq!(c.better, Some(true));
    }

    #[test]
    fn unchanged_or_missing_is_neither() {
        assert_eq!(
            Change::between(Some(2.0), Some(2.0), Better::Lower).better,
            None
        );
        let c = Change::between(None, Some(2.0), Better::Lower);
        assert_eq!(
            (c.previous, c.difference, c.better),
            (Some(2.0), None, None)
        );
    }
}
