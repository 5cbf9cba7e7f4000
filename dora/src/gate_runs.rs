//! The test gate's figures: runs submitted in the period, their pass rate over verdicts
//! (passed, failed, error; cancelled and running ones have none), durations, and the scenarios
//! that fail or flake most. For one service, the runs of commits its deployments carry.

use std::collections::HashMap;

use serde::Serialize;

use crate::change::{Better, Change};
use crate::history::{GateRun, RunOutcome, ScenarioOutcome};
use crate::index::Scope;
use crate::local_time::local_days;
use crate::stats::{median, ratio};

/// How many scenarios the top lists name.
pub const TOP_SCENARIOS: usize = 5;

/// The test gate over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateFigures {
    pub runs: u64,
    pub passed: u64,
    pub failed: u64,
    pub errors: u64,
    pub cancelled: u64,
    pub running: u64,
    /// `passed / (passed + failed + errors)`, a fraction.
    pub pass_rate: Option<f64>,
    /// Runs over local calendar days in the period.
    pub runs_per_day: f64,
    /// Nearest-rank median of start to finish, over runs with a verdict.
    pub median_duration_ms: Option<i64>,
    /// Nearest-rank median of submission to finish, over runs with a verdict.
    pub median_time_to_verdict_ms: Option<i64>,
    /// Scenarios by failed or error results, most first, ties by name.
    pub most_failing: Vec<ScenarioCount>,
    /// Scenarios by flaky results, most first, ties by name.
    pub most_flaky: Vec<ScenarioCount>,
    /// Of the pass rate; higher is better.
    pub change: Change,
}

/// A scenario and how often something happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioCount {
    pub name: String,
    pub count: u64,
}

impl GateFigures {
    pub(crate) fn measure(scope: &Scope) -> Self {
        let runs = scope.runs();
        let count = |outcome| runs.iter().filter(|r| r.outcome == outcome).count() as u64;
        let (passed, failed, errors) = (
            count(RunOutcome::Passed),
            count(RunOutcome::Failed),
            count(RunOutcome::Error),
        );
        let verdicts: Vec<&&GateRun> = runs.iter().filter(|r| r.outcome.is_verdict()).collect();
        let mut durations: Vec<i64> = verdicts
            .iter()
            .filter_map(|r| Some(r.finished_at? - r.started_at?))
            .filter(|ms| *ms >= 0)
            .collect();
        let mut to_verdict: Vec<i64> = verdicts
            .iter()
            .filter_map(|r| Some(r.finished_at? - r.submitted_at))
            .filter(|ms| *ms >= 0)
            .collect();
        let days = local_days(
            scope.period.since,
            scope.period.until,
            &scope.settings.time_zone,
        )
        .max(1);
        let pass_rate = ratio(passed, passed + failed + errors);
        Self {
            runs: runs.len() as u64,
            passed,
            failed,
            errors,
            cancelled: count(RunOutcome::Cancelled),
            running: count(RunOutcome::Running),
            pass_rate,
            runs_per_day: runs.len() as f64 / days as f64,
            median_duration_ms: median(&mut durations),
            median_time_to_verdict_ms: median(&mut to_verdict),
            most_failing: top(&runs, |o| {
                matches!(o, ScenarioOutcome::Failed | ScenarioOutcome::Error)
            }),
            most_flaky: top(&runs, |o| o == ScenarioOutcome::Flaky),
            change: Change::between(pass_rate, None, Better::Higher),
        }
    }

    pub(crate) fn compare(&mut self, previous: &Self) {
        self.change = Change::between(self.pass_rate, previous.pass_rate, Better::Higher);
    }
}

fn top(runs: &[&GateRun], counts: impl Fn(ScenarioOutcome) -> bool) -> Vec<ScenarioCount> {
    let mut by_name: HashMap<&str, u64> = HashMap::new();
    for result in runs.iter().flat_map(|r| &r.scenarios) {
        if counts(result.outcome) {
            *by_name.entry(result.name.as_str()).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, u64)> = by_name.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
        .into_iter()
        .take(TOP_SCENARIOS)
        .map(|(name, count)| ScenarioCount {
            name: name.to_owned(),
            count,
        })
        .collect()
}
