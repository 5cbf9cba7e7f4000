//! The run: a queue of scenarios and a pool of workers, each owning one browser. A worker takes
//! the next scenario, runs its attempts (retrying failures and infrastructure errors, replacing
//! its browser when it dies), and reports the result. Every browser is closed before `run`
//! returns, also when the run is cancelled.

use std::collections::VecDeque;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gate_scenarios::{Scenario, Suite};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::attempt::{AttemptEnd, AttemptEnv, StartFrom, failure_of, run_attempt};
use crate::browser::{BrowserProcess, profile_root};
use crate::config::RunConfig;
use crate::error::StepError;
use crate::event::RunEvent;
use crate::result::{Attempt, AttemptOutcome, Failure, Outcome, RunResult, ScenarioResult};
use crate::scope::Redactor;
use crate::session::{Session, SessionCache, StorageState};

struct Shared {
    suite: Suite,
    config: RunConfig,
    http: reqwest::Client,
    redactor: Redactor,
    sessions: SessionCache,
    queue: Mutex<VecDeque<usize>>,
    results: Mutex<Vec<Option<ScenarioResult>>>,
    events: UnboundedSender<RunEvent>,
    cancel: CancellationToken,
    profiles: PathBuf,
    /// Numbers browser launches, for unique profile directory names.
    launches: AtomicU64,
}

impl Shared {
    fn env(&self) -> AttemptEnv<'_> {
        AttemptEnv {
            config: &self.config,
            http: &self.http,
            redactor: &self.redactor,
            events: &self.events,
            cancel: &self.cancel,
        }
    }
}

/// Runs `selected` (indices into `suite.scenarios`) and returns the results in that order.
/// Scenarios named by `session` need not be selected: they run as needed to make the session.
pub async fn run(
    suite: Suite,
    selected: Vec<usize>,
    config: RunConfig,
    events: UnboundedSender<RunEvent>,
    cancel: CancellationToken,
) -> RunResult {
    let started_at = OffsetDateTime::now_utc();
    let started = std::time::Instant::now();
    let workers = config.workers.clamp(1, selected.len().max(1));
    let _ = events.send(RunEvent::Started {
        total: selected.len(),
        workers,
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    let shared = Arc::new(Shared {
        redactor: Redactor::new(&config.secrets),
        results: Mutex::new(vec![None; selected.len()]),
        queue: Mutex::new((0..selected.len()).collect()),
        suite,
        config,
        http,
        sessions: SessionCache::default(),
        events,
        cancel,
        profiles: profile_root(),
        launches: AtomicU64::new(0),
    });
    // Scenarios whose session others reuse go first, so the others find it ready.
    let mut selected = selected;
    selected.sort_by_key(|&i| !is_provider(&shared.suite, &shared.suite.scenarios[i]));
    let order = Arc::new(selected);
    let mut tasks = JoinSet::new();
    // Workers are numbered from 1, as people count them in progress lines and reports.
    for worker in 1..=workers {
        let shared = shared.clone();
        let order = order.clone();
        tasks.spawn(async move { work(shared, order, worker).await });
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(err) = done {
            tracing::error!("worker task failed: {err}");
        }
    }
    let _ = std::fs::remove_dir_all(&shared.profiles);

    let results = std::mem::take(&mut *shared.results.lock().unwrap_or_else(|p| p.into_inner()));
    let interrupted = shared.cancel.is_cancelled();
    // Back to file order for the report.
    let mut scenarios: Vec<(usize, ScenarioResult)> = results
        .into_iter()
        .zip(order.iter())
        .map(|(r, &i)| (i, r.unwrap_or_else(|| not_run(&shared.suite.scenarios[i]))))
        .collect();
    scenarios.sort_by_key(|(i, _)| *i);
    let scenarios = scenarios.into_iter().map(|(_, r)| r).collect();
    let result = RunResult {
        run_id: shared.config.run_id.clone(),
        started_at: started_at.format(&Rfc3339).unwrap_or_default(),
        duration_ms: started.elapsed().as_millis() as u64,
        base_url: shared.config.base_url.clone(),
        workers,
        artifacts_dir: shared.config.artifacts_dir.display().to_string(),
        interrupted,
        scenarios,
    };
    let _ = shared.events.send(RunEvent::Finished {
        result: Box::new(result.clone()),
    });
    result
}

/// One worker: takes scenarios until the queue is empty or the run is cancelled.
async fn work(shared: Arc<Shared>, order: Arc<Vec<usize>>, worker: usize) {
    let mut browser: Option<BrowserProcess> = None;
    loop {
        if shared.cancel.is_cancelled() {
            break;
        }
        let Some(slot) = shared
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
        else {
            break;
        };
        let scenario = &shared.suite.scenarios[order[slot]];
        let result = if is_provider(&shared.suite, scenario) {
            let browser = &mut browser;
            let shared = &shared;
            shared
                .sessions
                .run_provider(&scenario.name, || async move {
                    let mut state = None;
                    let result =
                        run_scenario(shared, worker, browser, scenario, Some(&mut state)).await;
                    (result, state)
                })
                .await
        } else {
            run_scenario(&shared, worker, &mut browser, scenario, None).await
        };
        let cancelled = result.outcome == Outcome::Cancelled;
        let _ = shared.events.send(RunEvent::ScenarioFinished {
            worker,
            result: result.clone(),
        });
        shared.results.lock().unwrap_or_else(|p| p.into_inner())[slot] = Some(result);
        if cancelled {
            break;
        }
    }
    if let Some(b) = browser.take() {
        b.close().await;
    }
}

/// A browser that is up, starting (or replacing) it as needed.
async fn ensure_browser<'b>(
    shared: &Shared,
    worker: usize,
    browser: &'b mut Option<BrowserProcess>,
) -> Result<&'b mut BrowserProcess, StepError> {
    if let Some(b) = browser.as_mut() {
        if b.is_alive() {
            return browser
                .as_mut()
                .ok_or_else(|| StepError::infra("browser vanished"));
        }
    }
    if let Some(dead) = browser.take() {
        let _ = shared.events.send(RunEvent::BrowserRestarting {
            worker,
            reason: "the browser exited".into(),
        });
        dead.close().await;
    }
    let name = format!(
        "worker-{worker}-{}",
        shared.launches.fetch_add(1, Ordering::Relaxed)
    );
    let launched = BrowserProcess::launch(&shared.config.browser, &shared.profiles, &name)
        .await
        .map_err(|e| StepError::infra(format!("the browser failed to start: {e}")))?;
    let _ = shared.events.send(RunEvent::BrowserReady { worker });
    Ok(browser.insert(launched))
}

/// Whether another scenario of the suite starts from this one's session.
fn is_provider(suite: &Suite, scenario: &Scenario) -> bool {
    suite
        .scenarios
        .iter()
        .any(|s| s.session.as_deref() == Some(scenario.name.as_str()))
}

/// All attempts of one scenario. With `keep` the final browser state of a passing attempt is
/// stored there (for scenarios that reuse this one's session).
async fn run_scenario(
    shared: &Shared,
    worker: usize,
    browser: &mut Option<BrowserProcess>,
    scenario: &Scenario,
    mut keep: Option<&mut Option<StorageState>>,
) -> ScenarioResult {
    let env = shared.env();
    let keep_state = keep.is_some();
    let mut attempts: Vec<Attempt> = Vec::new();
    let (mut failures, mut infra, mut renewals) = (0u32, 0u32, 0u32);
    loop {
        if shared.cancel.is_cancelled() {
            return finish(scenario, attempts, true);
        }
        let number = attempts.len() as u32 + 1;
        let _ = shared.events.send(RunEvent::ScenarioStarted {
            worker,
            name: scenario.name.clone(),
            attempt: number,
        });
        let outcome = attempt_once(shared, worker, browser, scenario, number, keep_state).await;
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
                failed_attempt(number, worker, failure_of(&env, scenario, None, err))
            }
            Ok(AttemptEnd::Done { attempt, state }) => {
                if let (Some(keep), Some(state)) = (keep.as_deref_mut(), state) {
                    *keep = Some(state);
                }
                *attempt
            }
            Err(failure) => failed_attempt(number, worker, failure),
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
                if let Some(b) = browser.take() {
                    let _ = shared.events.send(RunEvent::BrowserRestarting {
                        worker,
                        reason: reason.clone(),
                    });
                    b.close().await;
                }
                if infra > shared.config.infra_retries {
                    break;
                }
            }
        }
        let _ = shared.events.send(RunEvent::Retrying {
            worker,
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
    shared: &Shared,
    worker: usize,
    browser: &mut Option<BrowserProcess>,
    scenario: &Scenario,
    number: u32,
    keep_state: bool,
) -> Result<AttemptEnd, Failure> {
    let env = shared.env();
    let session = match &scenario.session {
        None => None,
        Some(name) => {
            let provider = shared.suite.get(name).ok_or_else(|| {
                failure_of(
                    &env,
                    scenario,
                    None,
                    StepError::setup(format!(
                        "no scenario named `{name}` to take the session from"
                    )),
                )
            })?;
            let session = establish(shared, worker, browser, provider)
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
    let b = ensure_browser(shared, worker, browser)
        .await
        .map_err(|e| failure_of(&env, scenario, None, e))?;
    let end = run_attempt(
        &env,
        b,
        worker,
        scenario,
        number,
        session.as_ref(),
        keep_state,
        &scenario.name,
    )
    .await;
    if let (AttemptEnd::SessionInvalid { .. }, Some(s)) = (&end, &session) {
        shared
            .sessions
            .invalidate(&s.provider.name, s.session.generation)
            .await;
    }
    Ok(end)
}

/// The session `provider` leaves, from the cache or by running it now on this worker.
fn establish<'a>(
    shared: &'a Shared,
    worker: usize,
    browser: &'a mut Option<BrowserProcess>,
    provider: &'a Scenario,
) -> Pin<Box<dyn Future<Output = Result<Session, Failure>> + Send + 'a>> {
    Box::pin(async move {
        shared
            .sessions
            .get_or_make(&provider.name, || async {
                let mut infra = 0;
                loop {
                    let end = attempt_once(shared, worker, browser, provider, 1, true).await?;
                    match end {
                        AttemptEnd::Done { attempt, state } => match (attempt.outcome, state) {
                            (AttemptOutcome::Passed, Some(state)) => {
                                return Ok::<StorageState, Failure>(state);
                            }
                            (AttemptOutcome::Error, _) if infra < shared.config.infra_retries => {
                                infra += 1;
                                if let Some(b) = browser.take() {
                                    b.close().await;
                                }
                            }
                            (_, _) => {
                                return Err(attempt.failure.unwrap_or_else(|| {
                                    failure_of(
                                        &shared.env(),
                                        provider,
                                        None,
                                        StepError::step("its final state could not be read"),
                                    )
                                }));
                            }
                        },
                        AttemptEnd::SessionInvalid { reason } => {
                            return Err(failure_of(
                                &shared.env(),
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

fn not_run(scenario: &Scenario) -> ScenarioResult {
    finish(scenario, Vec::new(), true)
}
