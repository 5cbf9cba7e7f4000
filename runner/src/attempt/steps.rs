//! The steps phase of an attempt: the scenario's steps in order until one fails, each with its
//! own deadline inside the scenario's, reported to the progress display as they start. Owns
//! how a step's error is classified once it is known (browser died, scenario time ran out,
//! run interrupted).

use std::time::Duration;

use gate_scenarios::{Scenario, Step};
use tokio::time::Instant;

use super::record::{AttemptRecord, CANCELLED};
use super::{AttemptEnv, AttemptPlan};
use crate::backend::Handle;
use crate::config::RunConfig;
use crate::error::StepError;
use crate::event::RunEvent;
use crate::result::{FailureKind, StepOutcome};
use crate::step::{Deadline, Exec, run_step};

/// How long a step may overrun its own deadline before the browser counts as wedged.
const WEDGED_AFTER: Duration = Duration::from_secs(10);

/// The scenario's limit for one attempt, from the attempt's start.
#[derive(Debug, Clone, Copy)]
pub(super) struct ScenarioDeadline {
    pub at: Instant,
    pub limit: Duration,
}

impl ScenarioDeadline {
    pub fn new(config: &RunConfig, scenario: &Scenario, started: Instant) -> ScenarioDeadline {
        let limit = scenario.timeout.unwrap_or(config.scenario_timeout);
        ScenarioDeadline {
            at: started + limit,
            limit,
        }
    }

    /// The step's own limit, or the scenario's if that runs out first.
    pub fn for_step(&self, config: &RunConfig, scenario: &Scenario, step: &Step) -> Deadline {
        let limit = step
            .timeout
            .or(scenario.step_timeout)
            .unwrap_or(config.step_timeout);
        let own = Instant::now() + limit;
        if own <= self.at {
            Deadline {
                at: own,
                limit,
                scenario_limit: false,
            }
        } else {
            Deadline {
                at: self.at,
                limit: self.limit,
                scenario_limit: true,
            }
        }
    }
}

/// Runs the steps, recording each one's outcome and duration; returns the failed step's index
/// and error, if one failed.
pub(super) async fn run_steps(
    env: &AttemptEnv<'_>,
    browser: &Handle,
    plan: &AttemptPlan<'_>,
    exec: &mut Exec<'_>,
    record: &mut AttemptRecord,
) -> Option<(usize, StepError)> {
    let scenario = plan.scenario;
    let scenario_deadline = ScenarioDeadline::new(env.config, scenario, record.started);
    for step in &scenario.steps {
        let deadline = scenario_deadline.for_step(env.config, scenario, step);
        let _ = env.events.send(RunEvent::StepStarted {
            worker: plan.worker,
            scenario: plan.label.to_string(),
            index: step.index,
            total: scenario.steps.len(),
            description: record.steps[step.index].description.clone(),
        });
        let step_started = Instant::now();
        // The step watches its own deadline; the outer limit only catches a wedged browser.
        let outcome = tokio::select! {
            r = tokio::time::timeout(deadline.remaining() + WEDGED_AFTER, run_step(exec, step, deadline)) => {
                r.unwrap_or_else(|_| Err(StepError::infra("the browser stopped answering")))
            }
            _ = env.cancel.cancelled() => Err(cancelled()),
        };
        let result = &mut record.steps[step.index];
        result.duration_ms = step_started.elapsed().as_millis() as u64;
        match outcome {
            Ok(()) => result.outcome = StepOutcome::Passed,
            Err(err) => {
                let err = classify(browser, deadline, err);
                result.outcome = if err.is_infra() {
                    StepOutcome::Error
                } else {
                    StepOutcome::Failed
                };
                return Some((step.index, err));
            }
        }
    }
    None
}

/// A step's error as the attempt sees it: a dead browser is infrastructure whatever the step
/// said, and running out of the scenario's time is a timeout.
fn classify(browser: &Handle, deadline: Deadline, mut err: StepError) -> StepError {
    if !browser.connected() {
        err = StepError::infra(format!(
            "the browser died during the step ({})",
            err.message
        ));
    } else if deadline.scenario_limit
        && deadline.passed()
        && err.kind != FailureKind::Infrastructure
    {
        err.kind = FailureKind::Timeout;
    }
    err
}

fn cancelled() -> StepError {
    StepError {
        kind: FailureKind::Infrastructure,
        message: CANCELLED.into(),
        expected: None,
        actual: None,
    }
}
