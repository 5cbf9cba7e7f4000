//! One attempt of one scenario, phase by phase: open a fresh context and the attempt's
//! variables, check the session it starts from, run the steps, collect the evidence of a failure
//! (or the final state of a pass), and close the context again whatever happened.
//!
//! [`AttemptPlan`] is what the caller asks for; an [`record::AttemptRecord`] carries what the
//! phases produce until it becomes the attempt's result. Each phase lives in its own module.

mod evidence;
mod open;
mod record;
mod steps;

use gate_scenarios::{Scenario, Step};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::backend::Handle;
use crate::config::RunConfig;
use crate::error::StepError;
use crate::event::RunEvent;
use crate::page::ScenarioPage;
use crate::result::{Attempt, Failure};
use crate::scope::Redactor;
use crate::session::{Session, StorageState};
use crate::step::{ArtifactPlace, Exec};

use open::{Opened, check_session, open};
use record::AttemptRecord;
use steps::{ScenarioDeadline, run_steps};

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

/// What the caller asks of one attempt.
pub struct AttemptPlan<'a> {
    /// The worker running it (for the result and progress events).
    pub worker: usize,
    pub scenario: &'a Scenario,
    /// 1-based.
    pub number: u32,
    pub start_from: Option<&'a StartFrom<'a>>,
    /// Read the final browser state if the attempt passes (others reuse its session).
    pub keep_state: bool,
    /// How progress events name the scenario.
    pub label: &'a str,
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

pub async fn run_attempt(
    env: &AttemptEnv<'_>,
    browser: &Handle,
    plan: &AttemptPlan<'_>,
) -> AttemptEnd {
    let mut record = AttemptRecord::new(env, plan);
    let deadline = ScenarioDeadline::new(env.config, plan.scenario, record.started);
    let place = artifact_place(env.config, plan);
    let opening = Instant::now();
    let opened = match open(env, browser, plan).await {
        Ok(opened) => opened,
        Err(err) => {
            // Nothing ran: no evidence but the reason.
            record.failure = Some(failure_of(env, plan.scenario, None, err));
            return AttemptEnd::Done {
                attempt: record.finish(),
                state: None,
            };
        }
    };
    let open_ms = opening.elapsed().as_millis();
    if let Err(reason) = check_session(env, plan, &opened, &place, deadline).await {
        browser.retire(opened.page).await;
        return AttemptEnd::SessionInvalid { reason };
    }
    let Opened { page, scope, .. } = opened;
    let mut exec = Exec {
        page: &page,
        scope,
        config: env.config,
        http: env.http,
        wait_until: plan.scenario.wait_until,
        artifacts: place.clone(),
        screenshots: Vec::new(),
    };
    // Disposing of the previous attempt's context and opening the next one's overlap the
    // steps, so neither sits between two scenarios.
    let (failed, ()) = tokio::join!(
        run_steps(env, browser, plan, &mut exec, &mut record),
        browser.housekeeping()
    );
    record.artifacts.screenshots = std::mem::take(&mut exec.screenshots);
    drop(exec);
    let log = page.log();
    let state = evidence::conclude(env, plan, &page, &place, failed, &mut record).await;
    close(browser, plan, page, &record, open_ms).await;
    record.page_log(env, log);
    AttemptEnd::Done {
        attempt: record.finish(),
        state,
    }
}

/// Where this attempt's screenshots and page snapshots go.
fn artifact_place(config: &RunConfig, plan: &AttemptPlan<'_>) -> ArtifactPlace {
    let (scenario, number) = (slug(&plan.scenario.name), plan.number);
    ArtifactPlace {
        dir: config
            .artifacts_dir
            .join(&scenario)
            .join(format!("attempt-{number}")),
        relative: format!("{scenario}/attempt-{number}"),
    }
}

/// Disposes of the context, and logs how long opening and closing took.
async fn close(
    browser: &Handle,
    plan: &AttemptPlan<'_>,
    page: ScenarioPage,
    record: &AttemptRecord,
    open_ms: u128,
) {
    let closing = Instant::now();
    browser.retire(page).await;
    tracing::debug!(
        scenario = %plan.scenario.name,
        open_ms,
        close_ms = closing.elapsed().as_millis(),
        total_ms = record.started.elapsed().as_millis(),
        "attempt phases"
    );
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
