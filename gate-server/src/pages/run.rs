//! `GET /runs/{id}`: one run — its verdict, and for each scenario the outcome, the failing step
//! (`file:line`, expected and actual), the failure screenshot, console errors and failed
//! requests — with links to the JUnit XML and the HTML report, and the cancel and re-run forms
//! (`POST /runs/{id}/cancel`, `POST /runs/{id}/rerun-failed`). A run still in progress
//! refreshes itself every few seconds (a meta refresh: no script).
//!
//! Ids: `#verdict` (the run's state badge), `#commit-link`, `#reason`, `#junit-link`,
//! `#report-link`, `#cancel-run`, `#rerun-failed`, `#scenarios` (table) with one `tr.scenario`
//! per scenario (`data-testid="scenario-<name>"`, `data-outcome="<outcome>"`).

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use gate_runner::result::{Attempt, ScenarioResult};
use maud::{Markup, html};

use gate_wire::{JobView, RunView};

use super::layout::{badge, duration, short, when};
use crate::auth::{Principal, Scope};
use crate::model::needs_rerun;
use crate::state::AppState;
use crate::store::{JobRecord, RunRecord};
use crate::views;

/// Seconds between refreshes of a run that is not finished.
const REFRESH_SECS: u32 = 5;

pub async fn page(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    let (run, jobs) = match state.service.run(&id).await {
        Ok(found) => found,
        Err(err) => return super::failed(err),
    };
    // Links relative to the page: they work whatever the public URL says.
    let view = views::run_view("", &run, &jobs);
    let refresh = (!run.state.is_final())
        .then(|| html! { meta http-equiv="refresh" content=(REFRESH_SECS); });
    super::ok(
        &format!("Run {}", short(&run.commit)),
        refresh,
        body(&view, &run, &jobs, who.allows(Scope::Submit)),
    )
}

/// The form behind the "Cancel run" button.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Response {
    match state.service.cancel(&id, &who).await {
        Ok(run) => Redirect::to(&format!("/runs/{}", super::encode(&run.id))).into_response(),
        Err(err) => super::failed(err),
    }
}

/// The form behind the "Re-run failed scenarios" button: shows the new run.
pub async fn rerun_failed(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.service.rerun_failed(&id).await {
        Ok(new) => Redirect::to(&format!("/runs/{}", super::encode(&new.run.id))).into_response(),
        Err(err) => super::failed(err),
    }
}

/// Whether the run has scenarios a re-run of failures would take.
fn has_failures(jobs: &[JobRecord]) -> bool {
    jobs.iter().any(|j| j.outcome.is_some_and(needs_rerun))
}

/// The page's content, as a pure function of the run. `can_change`: show the forms.
pub fn body(view: &RunView, run: &RunRecord, jobs: &[JobRecord], can_change: bool) -> Markup {
    let state = view.state.as_str();
    html! {
        h1 {
            "Run " code { (short(&view.commit)) }
            span #verdict class={ "badge " (state) } data-testid="run-verdict" { (state) }
        }
        div .card {
            dl .facts {
                dt { "Commit" } dd { a #commit-link href={ "/commits/" (view.commit) } { code { (view.commit) } } }
                @if let Some(branch) = &view.branch { dt { "Branch" } dd { code { (branch) } } }
                @if let Some(pr) = view.pr { dt { "Pull request" } dd { "#" (pr) } }
                dt { "Build" } dd {
                    @if view.base_url.starts_with("http://") || view.base_url.starts_with("https://") {
                        a href=(view.base_url) rel="noreferrer" { (view.base_url) }
                    } @else { code { (view.base_url) } }
                }
                @if !view.tags.is_empty() { dt { "Tags" } dd { (view.tags.join(", ")) } }
                dt { "Created" } dd { (when(run.created_at)) }
                @if let (Some(s), Some(f)) = (run.started_at, run.finished_at) {
                    dt { "Duration" } dd { (duration(f.saturating_sub(s).max(0) as u64)) }
                }
                dt { "Run id" } dd { code { (view.id) } }
            }
            @if let Some(reason) = &view.reason { p #reason .fail { (reason) } }
            p .actions {
                a #junit-link href=(view.links.junit) { "JUnit XML" }
                a #report-link href=(view.links.report) { "HTML report with screenshots" }
                @if can_change && !view.state.is_final() {
                    form method="post" action={ "/runs/" (super::encode(&view.id)) "/cancel" } {
                        button #cancel-run type="submit" { "Cancel run" }
                    }
                }
                @if can_change && view.state.is_final() && has_failures(jobs) {
                    form method="post" action={ "/runs/" (super::encode(&view.id)) "/rerun-failed" } {
                        button #rerun-failed type="submit" { "Re-run failed scenarios" }
                    }
                }
            }
        }
        table #scenarios {
            thead { tr { th { "Outcome" } th { "Scenario" } th { "Details" } th { "Time" } } }
            tbody {
                @for (job, record) in view.jobs.iter().zip(jobs) {
                    (scenario_row(job, record.result.as_ref()))
                }
            }
        }
    }
}

fn scenario_row(job: &JobView, result: Option<&ScenarioResult>) -> Markup {
    let outcome = job.outcome.map_or(job.state.as_str(), |o| o.as_str());
    let attempts = result.map_or(0, |r| r.attempts.len());
    html! {
        tr .scenario data-testid={ "scenario-" (job.scenario) } data-outcome=(outcome) {
            td { (badge(outcome)) }
            td {
                strong { (job.scenario) } br;
                code { (job.path) }
                @if attempts > 1 { br; span .muted { (attempts) " attempts" } }
                @if let Some(runner) = &job.runner { br; span .muted .runner { "ran on " code { (runner) } } }
                @if job.leases > 1 { br; span .muted { "handed to a runner " (job.leases) " times" } }
            }
            td {
                @if let Some(result) = result { (details(job, result)) }
            }
            td { @if let Some(ms) = job.duration_ms { (duration(ms)) } }
        }
    }
}

/// The failing step and the evidence of the attempts that did not pass.
fn details(job: &JobView, result: &ScenarioResult) -> Markup {
    let failure = result.failure();
    let evidence: Vec<&Attempt> = result
        .attempts
        .iter()
        .filter(|a| !a.console_errors.is_empty() || !a.failed_requests.is_empty())
        .collect();
    html! {
        @if let Some(f) = failure {
            @if let Some(location) = &f.location { code .location { (location) } " " }
            @if let Some(step) = &f.step_description { span .muted { (step) } }
            pre .fail .message { (f.message) }
            @if let Some(expected) = &f.expected { div { "expected: " code .expected { (expected) } } }
            @if let Some(actual) = &f.actual { div { "actual: " code .actual { (actual) } } }
        }
        @if let Some(url) = &job.screenshot_url {
            a href=(url) { img .shot src=(url) alt={ "Screenshot of " (job.scenario) " at the failure" } loading="lazy"; }
        }
        @if !evidence.is_empty() {
            details open[failure.is_some()] {
                summary { "Console errors and failed requests" }
                @for attempt in evidence {
                    h4 .muted { "Attempt " (attempt.number) }
                    ul {
                        @for message in &attempt.console_errors { li .console-error { code { (message) } } }
                        @for r in &attempt.failed_requests {
                            li .failed-request {
                                code { (r.method) " " (r.url) } " "
                                @if let Some(status) = r.status { (status) }
                                @if let Some(error) = &r.error { (error) }
                            }
                        }
                    }
                }
            }
        }
    }
}
