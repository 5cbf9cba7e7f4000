//! `GET /commits/{sha}`: a commit's combined verdict (what a merge check reads), the scenarios
//! that fail or were flaky, and every run of the commit.
//!
//! Ids: `#commit-verdict` (badge: pending, success, failure, error), `#description`,
//! `#failing` (list, `li.failing-scenario`), `#flaky` (list), `#commit-runs` (table of runs,
//! as on the run list).

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};

use super::layout::short;
use crate::state::AppState;
use crate::store::{RunFilter, RunRecord};
use crate::verdict;
use crate::wire::CommitStatus;

/// Most runs of one commit shown.
const MAX_RUNS: u32 = 100;

pub async fn page(State(state): State<AppState>, Path(sha): Path<String>) -> Response {
    let sha = sha.to_ascii_lowercase();
    let status = match verdict::commit_status(&state, &sha).await {
        Ok(Some(status)) => status,
        Ok(None) => return super::not_found("commit with runs"),
        Err(err) => return super::unavailable(&err),
    };
    let filter = RunFilter {
        commit: Some(sha.clone()),
        limit: MAX_RUNS,
        ..RunFilter::default()
    };
    match state.store.runs(&filter).await {
        Ok(runs) => super::ok(
            &format!("Commit {}", short(&sha)),
            None,
            body(&status, &runs),
        ),
        Err(err) => super::unavailable(&err),
    }
}

/// The page's content, as a pure function of the verdict and the runs.
pub fn body(status: &CommitStatus, runs: &[RunRecord]) -> Markup {
    html! {
        h1 {
            "Commit " code { (short(&status.sha)) }
            span #commit-verdict class={ "badge " (status.state) } { (status.state) }
        }
        p #description { (status.description) }
        p .muted { "Full SHA " code { (status.sha) } ". The verdict counts the latest run of each scenario suite." }
        @if !status.failing.is_empty() {
            div .card {
                h2 { "Failing" }
                ul #failing {
                    @for f in &status.failing {
                        li .failing-scenario {
                            strong { (f.scenario) } " (" (f.outcome) ") "
                            @if let Some(location) = &f.location { code { (location) } " " }
                            (f.message.as_deref().unwrap_or(""))
                            " · " a href={ "/runs/" (super::encode(&f.run)) } { "run" }
                        }
                    }
                }
            }
        }
        @if !status.flaky.is_empty() {
            div .card {
                h2 { "Flaky (passed on a retry)" }
                ul #flaky { @for name in &status.flaky { li { (name) } } }
            }
        }
        h2 { "Runs" }
        (super::runs::table(runs, "commit-runs"))
    }
}
