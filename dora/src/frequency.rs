//! Deployment frequency: promoted, non-rollback deployments that finished in the period, per
//! local day and week of the configured zone, and how many local calendar days had one.

use serde::Serialize;

use crate::band::Band;
use crate::change::{Better, Change};
use crate::index::Scope;
use crate::local_time::{local_date, local_days};

/// How often changes reached 100%.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frequency {
    /// Promoted, non-rollback deployments that finished in the period.
    pub count: u64,
    /// `count` over the local calendar days the period touches.
    pub per_day: f64,
    /// `per_day * 7`.
    pub per_week: f64,
    /// Local calendar days with at least one such deployment.
    pub days_with_deploy: u64,
    /// Local calendar days the period touches (7 for a week, DST or not).
    pub days_in_period: u64,
    /// `days_with_deploy / days_in_period`.
    pub share_of_days: f64,
    /// From `per_week`; none when nothing was deployed.
    pub band: Option<Band>,
    /// Of `count`; more is better.
    pub change: Change,
}

impl Frequency {
    pub(crate) fn measure(scope: &Scope) -> Self {
        let tz = &scope.settings.time_zone;
        let mut count = 0;
        let mut days_with_deploy = 0;
        let mut last_day = None;
        // Deployments come sorted by end, so local days only move forward.
        for d in scope
            .deployments()
            .iter()
            .filter(|d| d.is_successful_change())
        {
            count += 1;
            let day = d.ended_at().map(|at| local_date(at, tz));
            if day != last_day {
                days_with_deploy += 1;
                last_day = day;
            }
        }
        let days = local_days(scope.period.since, scope.period.until, tz).max(1);
        let days_in_period = u64::try_from(days).unwrap_or(1);
        let per_day = count as f64 / days_in_period as f64;
        let per_week = per_day * 7.0;
        Self {
            count,
            per_day,
            per_week,
            days_with_deploy,
            days_in_period,
            share_of_days: days_with_deploy as f64 / days_in_period as f64,
            band: (count > 0).then(|| Band::for_frequency(per_week)),
            change: Change::between(Some(count as f64), None, Better::Higher),
        }
    }

    pub(crate) fn compare(&mut self, previous: &Self) {
        self.change = Change::between(
            Some(self.count as f64),
            Some(previous.count as f64),
            Better::Higher,
        );
    }
}
