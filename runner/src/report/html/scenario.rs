//! One scenario's section of the report: what failed and the evidence (screenshot, page HTML,
//! console errors, failed requests), then the steps, then earlier attempts.

use maud::{Markup, html};

use super::artifacts::href;
use crate::report::text;
use crate::result::{
    Attempt, AttemptOutcome, Failure, FailureKind, NamedArtifact, Outcome, ScenarioResult,
    StepOutcome,
};

/// A `<details>` section, open when the scenario needs attention.
pub(super) fn section(index: usize, scenario: &ScenarioResult) -> Markup {
    let open = matches!(
        scenario.outcome,
        Outcome::Failed | Outcome::Error | Outcome::Flaky
    );
    let attempts = scenario.attempts.len();
    html! {
        details.scenario open[open] id={ "scenario-" (index) } {
            summary {
                (badge(scenario.outcome))
                span.scenario-name { (scenario.name) }
                code.scenario-path { (scenario.path) }
                span.scenario-facts {
                    @if attempts == 0 { "not run" } @else { (text::duration(scenario.duration_ms)) }
                    @if attempts > 1 { " · " (attempts) " attempts" }
                }
            }
            div.scenario-body {
                @if scenario.outcome == Outcome::Flaky {
                    p.notice.notice-flaky {
                        strong { "Flaky: " }
                        (text::flaky_story(scenario).unwrap_or_else(|| "passed after a retry".into()))
                        ". See the earlier attempts below."
                    }
                }
                @match scenario.attempts.split_last() {
                    None => p.muted { "Not run: the run was interrupted before this scenario started." },
                    Some((last, earlier)) => {
                        (attempt_body(last, attempts, true))
                        @if !earlier.is_empty() {
                            h4 { "Earlier attempts" }
                            @for attempt in earlier {
                                details.attempt {
                                    summary { (attempt_heading(attempt, attempts, true)) }
                                    (attempt_body(attempt, attempts, false))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `failed`, `passed`… as a coloured pill.
pub(super) fn badge(outcome: Outcome) -> Markup {
    html! { span class={ "badge badge-" (outcome.as_str()) } { (outcome.as_str()) } }
}

/// `Attempt 1 of 2 failed · worker 1 · 7.0 s`, and the failure's headline when `with_reason`
/// (collapsed attempts, where the failure card is hidden).
fn attempt_heading(attempt: &Attempt, of: usize, with_reason: bool) -> Markup {
    html! {
        span class={ "attempt-outcome attempt-" (text::attempt_outcome(attempt.outcome)) } {
            "Attempt " (attempt.number) " of " (of) " " (text::attempt_outcome(attempt.outcome))
        }
        span.muted { " · worker " (attempt.worker) " · " (text::duration(attempt.duration_ms)) }
        @if let (true, Some(failure)) = (with_reason, &attempt.failure) {
            span.attempt-reason { " · " (text::first_line(&text::failure_headline(failure))) }
        }
    }
}

/// What one attempt did. `heading` is false inside a collapsed attempt, whose summary already
/// says it.
fn attempt_body(attempt: &Attempt, of: usize, heading: bool) -> Markup {
    let artifacts = &attempt.artifacts;
    let has_logs = !attempt.console_errors.is_empty() || !attempt.failed_requests.is_empty();
    let has_evidence = artifacts.failure_screenshot.is_some()
        || artifacts.page_html.is_some()
        || artifacts.browser_log.is_some();
    html! {
        div.attempt-body {
            @if heading && (of > 1 || attempt.outcome != AttemptOutcome::Passed) {
                p.attempt-heading { (attempt_heading(attempt, of, false)) }
            }
            @if let Some(failure) = &attempt.failure { (failure_card(failure, attempt.outcome)) }
            @if has_evidence || has_logs {
                div.evidence {
                    @if has_evidence {
                        figure.shot {
                            @if let Some(shot) = &artifacts.failure_screenshot {
                                (thumbnail(shot, "Screenshot at the moment of failure"))
                            }
                            figcaption {
                                @if artifacts.failure_screenshot.is_some() { "Screenshot at failure" }
                                @if let Some(page) = &artifacts.page_html {
                                    @if artifacts.failure_screenshot.is_some() { " · " }
                                    (artifact_link(page, "Page HTML at failure"))
                                }
                                @if let Some(log) = &artifacts.browser_log {
                                    @if artifacts.failure_screenshot.is_some() || artifacts.page_html.is_some() { " · " }
                                    (artifact_link(log, "Browser container log"))
                                }
                            }
                        }
                    }
                    @if has_logs {
                        div.logs {
                            @if !attempt.console_errors.is_empty() {
                                h4 { "Console errors " span.count { (attempt.console_errors.len()) } }
                                ol.console {
                                    @for error in &attempt.console_errors { li { pre { (error) } } }
                                }
                            }
                            @if !attempt.failed_requests.is_empty() {
                                h4 { "Failed requests " span.count { (attempt.failed_requests.len()) } }
                                table.requests {
                                    @for request in &attempt.failed_requests {
                                        tr {
                                            td.method { (request.method) }
                                            td.url { code { (request.url) } }
                                            td.status.network[request.status.is_none()] { (text::request_status(request)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (steps(attempt))
            @if !artifacts.screenshots.is_empty() { (gallery(&artifacts.screenshots)) }
        }
    }
}

/// The failure in red, or in the error colour when the infrastructure is at fault.
fn failure_card(failure: &Failure, outcome: AttemptOutcome) -> Markup {
    let error = outcome == AttemptOutcome::Error || failure.kind == FailureKind::Infrastructure;
    html! {
        div.failure.failure-infrastructure[error] {
            p.failure-where {
                span.kind { (text::failure_title(failure.kind)) }
                @if let Some(location) = &failure.location { " at " code.location { (location) } }
                @if let Some(description) = &failure.step_description {
                    " in step "
                    @if let Some(step) = failure.step { (step + 1) " " }
                    code { (description) }
                }
            }
            pre.message { (failure.message) }
            @if failure.expected.is_some() || failure.actual.is_some() {
                div.compare {
                    div.expected {
                        h5 { "Expected" }
                        pre { (failure.expected.as_deref().unwrap_or("—")) }
                    }
                    div.actual {
                        h5 { "Actual" }
                        pre { (failure.actual.as_deref().unwrap_or("—")) }
                    }
                }
            }
        }
    }
}

fn steps(attempt: &Attempt) -> Markup {
    if attempt.steps.is_empty() {
        return html! {};
    }
    html! {
        h4 { "Steps" }
        table.steps {
            thead { tr { th.num { "#" } th { "Step" } th.num { "Line" } th.num { "Time" } } }
            tbody {
                @for step in &attempt.steps {
                    tr class={ "step step-" (text::step_outcome(step.outcome)) } {
                        td.num {
                            span.mark title=(text::step_outcome(step.outcome)) { (text::step_mark(step.outcome)) }
                            " " (step.index + 1)
                        }
                        td { code { (step.description) } }
                        td.num { (step.line) }
                        td.num {
                            @if step.outcome == StepOutcome::Skipped { span.muted { "skipped" } }
                            @else { (text::duration(step.duration_ms)) }
                        }
                    }
                }
            }
        }
    }
}

fn gallery(screenshots: &[NamedArtifact]) -> Markup {
    html! {
        h4 { "Screenshots" }
        div.gallery {
            @for shot in screenshots {
                figure.shot {
                    (thumbnail(&shot.path, &shot.name))
                    figcaption { (shot.name) }
                }
            }
        }
    }
}

/// A thumbnail linking to the full-size image.
fn thumbnail(path: &str, alt: &str) -> Markup {
    match href(path) {
        Some(url) => html! {
            a.thumb href=(url) target="_blank" rel="noopener" title="Open full size" {
                img src=(url) alt=(alt) loading="lazy";
            }
        },
        None => unsafe_path(path),
    }
}

fn artifact_link(path: &str, label: &str) -> Markup {
    match href(path) {
        Some(url) => html! { a href=(url) target="_blank" rel="noopener" { (label) } },
        None => unsafe_path(path),
    }
}

fn unsafe_path(path: &str) -> Markup {
    html! { span.muted { "artifact outside the artifacts directory: " code { (path) } } }
}
