//! The report: every figure for one period (and optionally one service), each compared with
//! the period before, plus one line per service. This is the shape of `gate report --json`:
//! field names are stable.

use serde::Serialize;

use crate::band::BAND_TABLE;
use crate::change_failure::ChangeFailure;
use crate::deploys::Deploys;
use crate::frequency::Frequency;
use crate::gate_runs::GateFigures;
use crate::history::History;
use crate::index::{Index, Scope};
use crate::lead_time::LeadTime;
use crate::period::Period;
use crate::recovery::Recovery;
use crate::rework::Rework;
use crate::settings::Settings;

/// Every figure for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub period: PeriodInfo,
    /// The service reported on; `None` for all services.
    pub service: Option<String>,
    /// The band table used: [`BAND_TABLE`].
    pub bands: &'static str,
    pub deploys: Deploys,
    pub deployment_frequency: Frequency,
    pub lead_time: LeadTime,
    pub change_failure: ChangeFailure,
    pub recovery: Recovery,
    pub rework: Rework,
    pub gate: GateFigures,
    /// One line per service with a deployment that ended in the period, by name; empty when
    /// the report is for one service.
    pub services: Vec<ServiceLine>,
}

/// The period as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodInfo {
    pub since: i64,
    pub until: i64,
    pub label: String,
    /// The zone local days and weeks were counted in.
    pub time_zone: String,
    /// Whether it is a local week.
    pub week: bool,
    /// The label of the period the changes compare with (`the week before`).
    pub previous_label: String,
}

/// One service's key figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceLine {
    pub service: String,
    pub deploys: Deploys,
    pub change_failure_rate: Option<f64>,
    pub lead_time_median_ms: Option<i64>,
    pub recovery_median_ms: Option<i64>,
}

/// Computes every figure for `period` (one service, or all when `None`) and compares each with
/// `period.previous()`.
pub fn report(
    history: &History,
    period: &Period,
    service: Option<&str>,
    settings: &Settings,
) -> Report {
    let index = Index::new(history);
    let scope = Scope {
        index: &index,
        period,
        service,
        settings,
    };
    let previous = period.previous();
    let before = scope.with_period(&previous);

    let mut deployment_frequency = Frequency::measure(&scope);
    deployment_frequency.compare(&Frequency::measure(&before));
    let mut lead_time = LeadTime::measure(&scope);
    lead_time.compare(&LeadTime::measure(&before));
    let mut change_failure = ChangeFailure::measure(&scope);
    change_failure.compare(&ChangeFailure::measure(&before));
    let mut recovery = Recovery::measure(&scope);
    recovery.compare(&Recovery::measure(&before));
    let mut rework = Rework::measure(&scope);
    rework.compare(&Rework::measure(&before));
    let mut gate = GateFigures::measure(&scope);
    gate.compare(&GateFigures::measure(&before));

    let services = match service {
        Some(_) => Vec::new(),
        None => index
            .services_in(period)
            .into_iter()
            .map(|name| service_line(&index, period, name, settings))
            .collect(),
    };

    Report {
        period: PeriodInfo {
            since: period.since,
            until: period.until,
            label: period.label.clone(),
            time_zone: settings.time_zone_name(),
            week: period.is_week(),
            previous_label: previous.label,
        },
        service: service.map(str::to_owned),
        bands: BAND_TABLE,
        deploys: Deploys::measure(&scope),
        deployment_frequency,
        lead_time,
        change_failure,
        recovery,
        rework,
        gate,
        services,
    }
}

fn service_line(index: &Index, period: &Period, service: &str, settings: &Settings) -> ServiceLine {
    let scope = Scope {
        index,
        period,
        service: Some(service),
        settings,
    };
    ServiceLine {
        service: service.to_owned(),
        deploys: Deploys::measure(&scope),
        change_failure_rate: ChangeFailure::measure(&scope).rate,
        lead_time_median_ms: LeadTime::measure(&scope).median_ms,
        recovery_median_ms: Recovery::measure(&scope).median_ms,
    }
}
