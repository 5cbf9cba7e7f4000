//! The first phases of an attempt: a fresh browser context (seeded with the session it starts
//! from) and the attempt's variables; then, for a reused session, its provider's check that the
//! session is still valid.

use super::steps::ScenarioDeadline;
use super::{AttemptEnv, AttemptPlan};
use crate::backend::Handle;
use crate::error::StepError;
use crate::page::ScenarioPage;
use crate::scope::Scope;
use crate::step::{ArtifactPlace, Exec, run_step};
use crate::unique::unique_value;

/// An open context and what the attempt's steps will see.
pub(super) struct Opened<'a> {
    pub page: ScenarioPage,
    pub scope: Scope<'a>,
    /// The attempt's `{{unique}}`, which the session check shares.
    pub unique: String,
}

/// Opens the context and renders the scenario's variables. A failure leaves nothing open.
pub(super) async fn open<'a>(
    env: &AttemptEnv<'a>,
    browser: &Handle,
    plan: &AttemptPlan<'_>,
) -> Result<Opened<'a>, StepError> {
    let page = browser
        .open_page(plan.start_from.map(|s| &*s.session.state))
        .await
        .map_err(|err| StepError::infra(format!("cannot open a browser context: {err}")))?;
    let unique = unique_value();
    match Scope::new(env.config, plan.scenario, unique.clone()) {
        Ok(scope) => Ok(Opened {
            page,
            scope,
            unique,
        }),
        Err(err) => {
            browser.retire(page).await;
            Err(err)
        }
    }
}

/// Runs the session check of the scenario the attempt's session comes from, if it has one, in
/// the attempt's context. `Err` says why the session is no longer valid (secrets redacted).
pub(super) async fn check_session(
    env: &AttemptEnv<'_>,
    plan: &AttemptPlan<'_>,
    opened: &Opened<'_>,
    place: &ArtifactPlace,
    deadline: ScenarioDeadline,
) -> Result<(), String> {
    let Some((provider, check)) = plan
        .start_from
        .and_then(|s| Some((s.provider, s.provider.session_check.as_ref()?)))
    else {
        return Ok(());
    };
    let step_deadline = deadline.for_step(env.config, plan.scenario, check);
    // The check belongs to the scenario that made the session: its `[vars]` apply.
    let checked = match Scope::new(env.config, provider, opened.unique.clone()) {
        Ok(scope) => {
            let mut exec = Exec {
                page: &opened.page,
                scope,
                config: env.config,
                http: env.http,
                wait_until: provider.wait_until,
                artifacts: place.clone(),
                screenshots: Vec::new(),
            };
            run_step(&mut exec, check, step_deadline).await
        }
        Err(err) => Err(err),
    };
    checked.map_err(|err| env.redactor.redact(&err.message))
}
