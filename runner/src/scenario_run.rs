//! All attempts of one scenario on one worker: sessions it starts from, retries of failures,
//! re-runs on a fresh browser after infrastructure errors, and the final outcome.

use std::future::Future;
use std::pin::Pin;

use gate_scenarios::{Scenario, Suite};
use tokio_util::sync::CancellationToken;

use crate::attempt::{AttemptEnd, AttemptPlan, StartFrom, failure_of, run_attempt};
use crate::context::RunContext;
use crate::error::StepError;
use crate::event::RunEvent;
use crate::pool::Worker;
use crate::result::{Attempt, AttemptOutcome, Failure, Outcome, ScenarioResult};
use crate::session::{Session, StorageState};

/// Whether another scenario of the suite starts from this one's session.
pub(crate) fn is_provider(suite: &Suite, scenario: &Scenario) -> bool {
    suite
        .scenarios
        .iter()
        .any(|s| s.session.as_deref() == Some(scenario.name.as_str()))
}

/// All attempts of one scenario. With `keep` the final browser state of a passing attempt is
/// stored there (for scenarios that reuse this one's session).
pub(crate) async fn run_scenario(
    ctx: &RunContext,
    worker: &mut Worker,
    cancel: &CancellationToken,
    scenario: &Scenario,
    mut keep: Option<&mut Option<StorageState>>,
) -> ScenarioResult {
    let env = ctx.env(cancel);
    let keep_state = keep.is_some();
    let mut attempts: Vec<Attempt> = Vec::new();
    let (mut failures, mut infra, mut renewals) = (0u32, 0u32, 0u32);
    loop {
        if cancel.is_cancelled() {
            return finish(scenario, attempts, true);
        }
        let number = attempts.len() as u32 + 1;
        let _ = ctx.events.send(RunEvent::ScenarioStarted {
            worker: worker.id,
            name: scenario.name.clone(),
            attempt: number,
        });
        let outcome = attempt_once(ctx, worker, cancel, scenario, number, keep_state).await;
        let attempt = match outcome {
            Ok(AttemptEnd::SessionInvalid { reason }) => {
                renewals += 1;
                if renewals <= 2 {
                    continue;
                }
                let err = StepError::step(format!(
                    "the session of `{}` was still not valid after logging in again: {reason}",
                    scenario.session.as_deref().unwrap_or_default()
                ));
                failed_attempt(number, worker.id, failure_of(&env, scenario, None, err))
            }
            Ok(AttemptEnd::Done { attempt, state }) => {
                if let (Some(keep), Some(state)) = (keep.as_deref_mut(), state) {
                    *keep = Some(state);
                }
                *attempt
            }
            Err(failure) => failed_attempt(number, worker.id, failure),
        };
        let reason = attempt
            .failure
            .as_ref()
            .map(|f| f.message.clone())
            .unwrap_or_default();
        let outcome = attempt.outcome;
        attempts.push(attempt);
        match outcome {
            AttemptOutcome::Passed | AttemptOutcome::Cancelled => break,
            AttemptOutcome::Failed => {
                failures += 1;
                if failures > scenario.retries {
                    break;
                }
            }
            AttemptOutcome::Error => {
                infra += 1;
                if let (Some(log), Some(attempt)) = (
                    worker.discard_browser(ctx, &reason).await,
                    attempts.last_mut(),
                ) {
                    attempt.artifacts.browser_log = Some(log);
                }
                if infra > ctx.config.infra_retries {
                    break;
                }
            }
        }
        let _ = ctx.events.send(RunEvent::Retrying {
            worker: worker.id,
            name: scenario.name.clone(),
            attempt: number,
            reason,
        });
    }
    finish(scenario, attempts, false)
}

/// Prepares the browser and session, then runs one attempt. `Err` is a failure before the
/// scenario's own steps could start.
async fn attempt_once(
    ctx: &RunContext,
    worker: &mut Worker,
    cancel: &CancellationToken,
    scenario: &Scenario,
    number: u32,
    keep_state: bool,
) -> Result<AttemptEnd, Failure> {
    let env = ctx.env(cancel);
    let session = match &scenario.session {
        None => None,
        Some(name) => {
            let provider = ctx.suite.get(name).ok_or_else(|| {
                failure_of(
                    &env,
                    scenario,
                    None,
                    StepError::setup(format!(
                        "no scenario named `{name}` to take the session from"
                    )),
                )
            })?;
            let session = establish(ctx, worker, cancel, provider)
                .await
                .map_err(|f| Failure {
                    message: format!(
                        "could not start from the session of `{name}`: {}",
                        f.message
                    ),
                    ..f
                })?;
            Some(StartFrom { provider, session })
        }
    };
    let id = worker.id;
    let b = worker
        .browser(ctx, scenario)
        .await
        .map_err(|e| failure_of(&env, scenario, None, e))?;
    let plan = AttemptPlan {
        worker: id,
        scenario,
        number,
        start_from: session.as_ref(),
        keep_state,
        label: &scenario.name,
    };
    let end = run_attempt(&env, b, &plan).await;
    if let (AttemptEnd::SessionInvalid { .. }, Some(s)) = (&end, &session) {
        ctx.sessions
            .invalidate(&s.provider.name, s.session.generation)
            .await;
    }
    Ok(end)
}

/// The session `provider` leaves, from the cache or by running it now on this worker.
fn establish<'a>(
    ctx: &'a RunContext,
    worker: &'a mut Worker,
    cancel: &'a CancellationToken,
    provider: &'a Scenario,
) -> Pin<Box<dyn Future<Output = Result<Session, Failure>> + Send + 'a>> {
    Box::pin(async move {
        ctx.sessions
            .get_or_make(&provider.name, || async {
                let mut infra = 0;
                loop {
                    let end = attempt_once(ctx, worker, cancel, provider, 1, true).await?;
                    match end {
                        AttemptEnd::Done { attempt, state } => match (attempt.outcome, state) {
                            (AttemptOutcome::Passed, Some(state)) => {
                                return Ok::<StorageState, Failure>(state);
                            }
                            (AttemptOutcome::Error, _) if infra < ctx.config.infra_retries => {
                                infra += 1;
                                worker.discard_browser(ctx, "infrastructure error").await;
                            }
                            (_, _) => {
                                return Err(attempt.failure.unwrap_or_else(|| {
                                    failure_of(
                                        &ctx.env(cancel),
                                        provider,
                                        None,
                                        StepError::step("its final state could not be read"),
                                    )
                                }));
                            }
                        },
                        AttemptEnd::SessionInvalid { reason } => {
                            return Err(failure_of(
                                &ctx.env(cancel),
                                provider,
                                None,
                                StepError::step(reason),
                            ));
                        }
                    }
                }
            })
            .await
    })
}

fn failed_attempt(number: u32, worker: usize, failure: Failure) -> Attempt {
    let outcome = if failure.kind == crate::result::FailureKind::Infrastructure {
        AttemptOutcome::Error
    } else {
        AttemptOutcome::Failed
    };
    Attempt {
        number,
        outcome,
        worker,
        duration_ms: 0,
        steps: Vec::new(),
        failure: Some(failure),
        artifacts: Default::default(),
        console_errors: Vec::new(),
        failed_requests: Vec::new(),
    }
}

fn finish(scenario: &Scenario, attempts: Vec<Attempt>, cancelled: bool) -> ScenarioResult {
    let last = attempts.last().map(|a| a.outcome);
    let any_failed = attempts.iter().any(|a| a.outcome == AttemptOutcome::Failed);
    let outcome = match last {
        _ if cancelled => Outcome::Cancelled,
        Some(AttemptOutcome::Passed) if any_failed => Outcome::Flaky,
        Some(AttemptOutcome::Passed) => Outcome::Passed,
        Some(AttemptOutcome::Failed) => Outcome::Failed,
        Some(AttemptOutcome::Error) => Outcome::Error,
        Some(AttemptOutcome::Cancelled) | None => Outcome::Cancelled,
    };
    ScenarioResult {
        name: scenario.name.clone(),
        path: scenario.path.clone(),
        tags: scenario.tags.clone(),
        outcome,
        duration_ms: attempts.iter().map(|a| a.duration_ms).sum(),
        attempts,
    }
}

pub(crate) fn not_run(scenario: &Scenario) -> ScenarioResult {
    finish(scenario, Vec::new(), true)
}

/// The result of a scenario whose worker ended without answering: an infrastructure error,
/// never a silent pass or "not run".
pub(crate) fn lost(scenario: &Scenario) -> ScenarioResult {
    let failure = Failure {
        kind: crate::result::FailureKind::Infrastructure,
        step: None,
        location: None,
        step_description: None,
        message: "the browser worker stopped unexpectedly (a bug in gate; please report it)".into(),
        expected: None,
        actual: None,
    };
    finish(scenario, vec![failed_attempt(1, 0, failure)], false)
}
