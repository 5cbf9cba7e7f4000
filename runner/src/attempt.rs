//! One attempt of one scenario: a fresh context, the steps in order, evidence on failure, and
//! the context closed again whatever happened.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use gate_scenarios::{Scenario, Step};
use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::backend::Handle;
use crate::config::RunConfig;
use crate::error::StepError;
use crate::event::RunEvent;
use crate::page::ScenarioPage;
use crate::page::context::cookie_param;
use crate::result::{
    Artifacts, Attempt, AttemptOutcome, Failure, FailureKind, StepOutcome, StepResult,
};
use crate::scope::{Redactor, Scope};
use crate::session::{Session, StorageState};
use crate::step::{ArtifactPlace, Deadline, Exec, run_step};
use crate::unique::unique_value;

/// What every attempt of a run shares.
pub struct AttemptEnv<'a> {
    pub config: &'a RunConfig,
    pub http: &'a reqwest::Client,
    pub redactor: &'a Redactor,
    pub events: &'a UnboundedSender<RunEvent>,
    pub cancel: &'a CancellationToken,
}

/// The session an attempt starts from, and the scenario that made it (for its check).
pub struct StartFrom<'a> {
    pub provider: &'a Scenario,
    pub session: Session,
}

pub enum AttemptEnd {
    /// The attempt ran; `state` is the final browser state when asked for and passed.
    Done {
        attempt: Box<Attempt>,
        state: Option<StorageState>,
    },
    /// The reused session failed its check: make it again and re-run.
    SessionInvalid { reason: String },
}

/// Time allowed to collect evidence after a failure.
const EVIDENCE_LIMIT: Duration = Duration::from_secs(5);

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename these"
)]
pub async fn run_attempt(
    env: &AttemptEnv<'_>,
    browser: &Handle,
    worker: usize,
    scenario: &Scenario,
    number: u32,
    start_from: Option<&StartFrom<'_>>,
    keep_state: bool,
    label: &str,
) -> AttemptEnd {
    let started = Instant::now();
    let limit = scenario.timeout.unwrap_or(env.config.scenario_timeout);
    let scenario_deadline = started + limit;
    let place = ArtifactPlace {
        dir: env
            .config
            .artifacts_dir
            .join(slug(&scenario.name))
            .join(format!("attempt-{number}")),
        relative: format!("{}/attempt-{number}", slug(&scenario.name)),
    };
    let mut steps: Vec<StepResult> = scenario
        .steps
        .iter()
        .map(|s| StepResult {
            index: s.index,
            description: env.redactor.redact(&s.describe()),
            line: s.location.line,
            outcome: StepOutcome::Skipped,
            duration_ms: 0,
        })
        .collect();

    // A failure before the first step: the attempt ends with no evidence but the reason.
    let early = |steps: Vec<StepResult>, err: StepError| AttemptEnd::Done {
        attempt: finish(
            number,
            worker,
            started,
            steps,
            Some(failure_of(env, scenario, None, err)),
            Artifacts::default(),
            &[],
            &[],
        ),
        state: None,
    };
    let opening = Instant::now();
    let page = match browser
        .open_page(start_from.map(|s| &*s.session.state))
        .await
    {
        Ok(page) => page,
        Err(err) => {
            let err = StepError::infra(format!("cannot open a browser context: {err}"));
            return early(steps, err);
        }
    };
    let open_ms = opening.elapsed().as_millis();
    let unique = unique_value();
    let scope = match Scope::new(env.config, scenario, unique.clone()) {
        Ok(scope) => scope,
        Err(err) => {
            browser.retire(page).await;
            return early(steps, err);
        }
    };
    let mut exec = Exec {
        page: &page,
        scope,
        config: env.config,
        http: env.http,
        artifacts: place.clone(),
        screenshots: Vec::new(),
    };

    if let Some((provider, check)) =
        start_from.and_then(|s| Some((s.provider, s.provider.session_check.as_ref()?)))
    {
        // The check belongs to the scenario that made the session: its `[vars]` apply.
        let deadline = step_deadline(env.config, scenario, check, scenario_deadline, limit);
        let checked = match Scope::new(env.config, provider, unique) {
            Ok(scope) => {
                let mut check_exec = Exec {
                    page: &page,
                    scope,
                    config: env.config,
                    http: env.http,
                    artifacts: place.clone(),
                    screenshots: Vec::new(),
                };
                run_step(&mut check_exec, check, deadline).await
            }
            Err(err) => Err(err),
        };
        if let Err(err) = checked {
            drop(exec);
            browser.retire(page).await;
            return AttemptEnd::SessionInvalid {
                reason: env.redactor.redact(&err.message),
            };
        }
    }

    let mut failed: Option<(usize, StepError)> = None;
    let run_steps = async {
        for step in &scenario.steps {
            let deadline = step_deadline(env.config, scenario, step, scenario_deadline, limit);
            let _ = env.events.send(RunEvent::StepStarted {
                worker,
                scenario: label.to_string(),
                index: step.index,
                total: scenario.steps.len(),
                description: steps[step.index].description.clone(),
            });
            let step_started = Instant::now();
            // The step watches its own deadline; the outer limit only catches a wedged browser.
            let outcome = tokio::select! {
                r = tokio::time::timeout(deadline.remaining() + Duration::from_secs(10), run_step(&mut exec, step, deadline)) => {
                    r.unwrap_or_else(|_| Err(StepError::infra("the browser stopped answering")))
                }
                _ = env.cancel.cancelled() => Err(cancelled()),
            };
            steps[step.index].duration_ms = step_started.elapsed().as_millis() as u64;
            match outcome {
                Ok(()) => steps[step.index].outcome = StepOutcome::Passed,
                Err(mut err) => {
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
                    steps[step.index].outcome = if err.is_infra() {
                        StepOutcome::Error
                    } else {
                        StepOutcome::Failed
                    };
                    failed = Some((step.index, err));
                    break;
                }
            }
        }
    };
    // Disposing of the previous attempt's context and opening the next one's overlap the
    // steps, so neither sits between two scenarios.
    tokio::join!(run_steps, browser.housekeeping());

    let mut artifacts = Artifacts {
        screenshots: std::mem::take(&mut exec.screenshots),
        ..Artifacts::default()
    };
    let log = page.log();
    let mut state = None;
    let failure = match failed {
        None => {
            if keep_state {
                state = storage_state(&page, env.config).await;
            }
            None
        }
        Some((index, err)) => {
            if !err.is_infra() {
                collect_evidence(&page, env.redactor, &place, &mut artifacts).await;
            }
            Some(failure_of(env, scenario, Some(&scenario.steps[index]), err))
        }
    };
    drop(exec);
    let closing = Instant::now();
    browser.retire(page).await;
    tracing::debug!(
        scenario = %scenario.name,
        open_ms,
        close_ms = closing.elapsed().as_millis(),
        total_ms = started.elapsed().as_millis(),
        "attempt phases"
    );
    let console: Vec<String> = log
        .console_errors
        .iter()
        .map(|c| env.redactor.redact(c))
        .collect();
    let requests: Vec<_> = log
        .failed_requests
        .into_iter()
        .map(|mut r| {
            r.url = env.redactor.redact(&r.url);
            r
        })
        .collect();
    AttemptEnd::Done {
        attempt: finish(
            number, worker, started, steps, failure, artifacts, &console, &requests,
        ),
        state,
    }
}

const CANCELLED: &str = "the run was interrupted";

fn cancelled() -> StepError {
    StepError {
        kind: FailureKind::Infrastructure,
        message: CANCELLED.into(),
        expected: None,
        actual: None,
    }
}

fn step_deadline(
    config: &RunConfig,
    scenario: &Scenario,
    step: &Step,
    scenario_deadline: Instant,
    scenario_limit: Duration,
) -> Deadline {
    let limit = step
        .timeout
        .or(scenario.step_timeout)
        .unwrap_or(config.step_timeout);
    let own = Instant::now() + limit;
    if own <= scenario_deadline {
        Deadline {
            at: own,
            limit,
            scenario_limit: false,
        }
    } else {
        Deadline {
            at: scenario_deadline,
            limit: scenario_limit,
            scenario_limit: true,
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "assembles the attempt record from its parts"
)]
fn finish(
    number: u32,
    worker: usize,
    started: Instant,
    steps: Vec<StepResult>,
    failure: Option<Failure>,
    artifacts: Artifacts,
    console: &[String],
    requests: &[crate::result::FailedRequest],
) -> Box<Attempt> {
    let outcome = match &failure {
        None => AttemptOutcome::Passed,
        Some(f) if f.message == CANCELLED => AttemptOutcome::Cancelled,
        Some(f) if f.kind == FailureKind::Infrastructure => AttemptOutcome::Error,
        Some(_) => AttemptOutcome::Failed,
    };
    Box::new(Attempt {
        number,
        outcome,
        worker,
        duration_ms: started.elapsed().as_millis() as u64,
        steps,
        failure,
        artifacts,
        console_errors: console.to_vec(),
        failed_requests: requests.to_vec(),
    })
}

pub fn failure_of(
    env: &AttemptEnv<'_>,
    scenario: &Scenario,
    step: Option<&Step>,
    err: StepError,
) -> Failure {
    let r = env.redactor;
    Failure {
        kind: err.kind,
        step: step.map(|s| s.index),
        location: step.map(|s| format!("{}:{}", scenario.path, s.location.line)),
        step_description: step.map(|s| r.redact(&s.describe())),
        message: r.redact(&err.message),
        expected: r.redact_opt(err.expected),
        actual: r.redact_opt(err.actual),
    }
}

/// Screenshot and HTML of the page as it was when the step failed.
async fn collect_evidence(
    page: &ScenarioPage,
    redactor: &Redactor,
    place: &ArtifactPlace,
    artifacts: &mut Artifacts,
) {
    // A navigation that timed out is still pending and would hold the screenshot back: stop
    // it, so the evidence shows what the page displays now.
    let _ = tokio::time::timeout(
        EVIDENCE_LIMIT,
        page.page
            .execute(chromiumoxide::cdp::browser_protocol::page::StopLoadingParams::default()),
    )
    .await;
    let params = ScreenshotParams::builder()
        .format(CaptureScreenshotFormat::Png)
        .full_page(true)
        .build();
    if let Ok(Ok(png)) = tokio::time::timeout(EVIDENCE_LIMIT, page.page.screenshot(params)).await {
        artifacts.failure_screenshot = place.write("failure.png", &png).ok();
    }
    if let Ok(Ok(html)) = tokio::time::timeout(EVIDENCE_LIMIT, page.page.content()).await {
        artifacts.page_html = place
            .write("page.html", redactor.redact(&html).as_bytes())
            .ok();
    }
}

/// Cookies for the base URL and the current page, and the current origin's local storage.
async fn storage_state(page: &ScenarioPage, config: &RunConfig) -> Option<StorageState> {
    let storage: serde_json::Value =
        crate::page::script::probe(&page.page, "storage", json!({}), Duration::ZERO)
            .await
            .ok()?;
    let mut urls = vec![config.base_url.clone()];
    if let Some(origin) = storage["origin"].as_str().filter(|o| o.starts_with("http")) {
        urls.push(origin.to_string());
    }
    let cookies = page.cookies(urls).await.ok()?;
    let mut state = StorageState {
        cookies: cookies.iter().map(cookie_param).collect(),
        ..StorageState::default()
    };
    if let (Some(origin), Some(items)) = (storage["origin"].as_str(), storage["items"].as_object())
    {
        if !items.is_empty() {
            let items = items
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect();
            state.local_storage.insert(origin.to_string(), items);
        }
    }
    Some(state)
}

/// File-system-safe form of a scenario name.
pub fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "scenario".into() } else { s }
}
