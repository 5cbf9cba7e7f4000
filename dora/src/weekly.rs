//! The weekly series behind the dashboard's charts and the digest's trend: a few figures for
//! each of the last N local weeks, computed over one index of the history.

use serde::Serialize;

use crate::deploys::Deploys;
use crate::gate_runs::GateFigures;
use crate::history::History;
use crate::index::{Index, Scope};
use crate::lead_time::LeadTime;
use crate::local_time::{local_date, short_date};
use crate::period::weeks_ending;
use crate::recovery::Recovery;
use crate::settings::Settings;

/// One local week's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekPoint {
    pub since: i64,
    pub until: i64,
    /// Its local Monday, `Nov 30`.
    pub label: String,
    /// Headline deploys: changes that reached users and ended in the week.
    pub deploys: u64,
    /// Successful over `deploys`.
    pub success_rate: Option<f64>,
    pub lead_time_median_ms: Option<i64>,
    pub recovery_median_ms: Option<i64>,
    pub gate_pass_rate: Option<f64>,
}

/// The `weeks` local weeks up to and including the one containing `now_ms`, oldest first.
pub fn weekly(
    history: &History,
    now_ms: i64,
    weeks: usize,
    service: Option<&str>,
    settings: &Settings,
) -> Vec<WeekPoint> {
    let index = Index::new(history);
    let tz = &settings.time_zone;
    weeks_ending(now_ms, tz, weeks)
        .iter()
        .map(|period| {
            let scope = Scope {
                index: &index,
                period,
                service,
                settings,
            };
            let deploys = Deploys::measure(&scope);
            WeekPoint {
                since: period.since,
                until: period.until,
                label: short_date(local_date(period.since, tz)),
                deploys: deploys.finished,
                success_rate: deploys.success_rate(),
                lead_time_median_ms: LeadTime::measure(&scope).median_ms,
                recovery_median_ms: Recovery::measure(&scope).median_ms,
                gate_pass_rate: GateFigures::measure(&scope).pass_rate,
            }
        })
        .collect()
}
