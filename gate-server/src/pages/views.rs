//! The pages' content, as pure functions of records and views.

use maud::{Markup, html};

use crate::store::{JobRecord, RunRecord};
use crate::wire::{CommitStatus, RunView};

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

fn when(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

pub fn run_list(runs: &[RunRecord], next: Option<&str>) -> Markup {
    html! {
        h1 { "Runs" }
        @if runs.is_empty() {
            p #no-runs { "No runs yet. Submit one with `gate submit`." }
        } @else {
            table #runs {
                thead { tr { th { "Verdict" } th { "Commit" } th { "Branch" } th { "PR" } th { "Created" } th { "Duration" } } }
                tbody {
                    @for run in runs {
                        tr.run data-testid={ "run-" (run.id) } {
                            td { span class={ "badge " (run.state.as_str()) } { (run.state.as_str()) } }
                            td { a href={ "/runs/" (run.id) } { code { (short(&run.commit)) } } }
                            td { (run.branch.as_deref().unwrap_or("")) }
                            td { @if let Some(pr) = run.pr { "#" (pr) } }
                            td { (when(run.created_at)) }
                            td { @if let (Some(s), Some(f)) = (run.started_at, run.finished_at) { (format!("{:.1}s", (f - s) as f64 / 1000.0)) } }
                        }
                    }
                }
            }
            @if let Some(next) = next { p { a #older href={ "/runs?before=" (next) } { "Older runs" } } }
        }
    }
}

pub fn run_page(view: &RunView, jobs: &[JobRecord]) -> Markup {
    html! {
        h1 { "Run " code { (short(&view.commit)) } " " span #verdict class={ "badge " (view.state.as_str()) } { (view.state.as_str()) } }
        p {
            "Commit " a href={ "/commits/" (view.commit) } { code { (view.commit) } }
            @if let Some(b) = &view.branch { " on " code { (b) } }
            " against " code { (view.base_url) }
        }
        @if let Some(reason) = &view.reason { p.fail #reason { (reason) } }
        p { a href=(view.links.junit) { "JUnit XML" } " · " a href=(view.links.report) { "HTML report with screenshots" } }
        table #scenarios {
            thead { tr { th { "Outcome" } th { "Scenario" } th { "Details" } th { "Time" } } }
            tbody {
                @for (job, record) in view.jobs.iter().zip(jobs) {
                    @let outcome = job.outcome.clone().unwrap_or_else(|| format!("{:?}", job.state).to_lowercase());
                    tr.scenario data-testid={ "scenario-" (job.scenario) } {
                        td { span class={ "badge " (outcome) } { (outcome) } }
                        td { (job.scenario) br; code { (job.path) } }
                        td {
                            @if let Some(loc) = &job.failure_location { code { (loc) } br; }
                            @if let Some(msg) = &job.failure_message { span.fail { (msg) } br; }
                            @if let (Some(e), Some(a)) = (&job.expected, &job.actual) { "expected " code { (e) } ", got " code { (a) } br; }
                            @if let Some(url) = &job.screenshot_url { a href=(url) { img.shot src=(url) alt={ "screenshot of " (job.scenario) }; } }
                            @if let Some(result) = &record.result {
                                @if let Some(attempt) = result.attempts.iter().rfind(|a| !a.console_errors.is_empty() || !a.failed_requests.is_empty()) {
                                    details {
                                        summary { "Console errors and failed requests" }
                                        ul { @for c in &attempt.console_errors { li { code { (c) } } } @for r in &attempt.failed_requests { li { code { (r.method) " " (r.url) " " (r.status.map(|s| s.to_string()).or(r.error.clone()).unwrap_or_default()) } } } }
                                    }
                                }
                            }
                        }
                        td { @if let Some(ms) = job.duration_ms { (format!("{:.1}s", ms as f64 / 1000.0)) } }
                    }
                }
            }
        }
    }
}

pub fn commit_page(status: &CommitStatus) -> Markup {
    html! {
        h1 { "Commit " code { (short(&status.sha)) } " " span #commit-verdict class={ "badge " (status.state) } { (status.state) } }
        p #description { (status.description) }
        div.card {
            h2 { "Runs" }
            ul { @for r in &status.runs { li { a href=(r.url) { (r.id) } " " span class={ "badge " (r.state.as_str()) } { (r.state.as_str()) } } } }
        }
        @if !status.failing.is_empty() {
            div.card { h2 { "Failing" } ul { @for f in &status.failing { li.fail { (f.scenario) " (" (f.outcome) ") " @if let Some(l) = &f.location { code { (l) } } " " (f.message.as_deref().unwrap_or("")) } } } }
        }
        @if !status.flaky.is_empty() {
            div.card { h2 { "Flaky (passed on a retry)" } ul { @for f in &status.flaky { li { (f) } } } }
        }
    }
}

pub fn login(next: &str, error: Option<&str>) -> Markup {
    html! {
        h1 { "Log in" }
        @if let Some(e) = error { p.fail role="alert" { (e) } }
        form.card method="post" action="/login" {
            label for="token" { "API token (read scope or more)" } br;
            input #token type="password" name="token" autocomplete="off" size="60";
            input type="hidden" name="next" value=(next);
            " " button #login type="submit" { "Log in" }
        }
    }
}
