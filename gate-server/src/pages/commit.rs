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
use crate::service::{RunQuery, ServiceError};
use crate::state::AppState;
use crate::store::RunRecord;
use crate::verdict::CommitVerdict;

/// Most runs of one commit shown.
const MAX_RUNS: u32 = 100;

pub async fn page(State(state): State<AppState>, Path(sha): Path<String>) -> Response {
    let verdict = match state.service.verdict(&sha).await {
        Ok(verdict) => verdict,
        // Not a commit id at all is as much "no such page" as an unknown one.
        Err(ServiceError::NotFound(_) | ServiceError::Invalid { .. }) => {
            return super::not_found("commit with runs");
        }
        Err(err) => return super::failed(err),
    };
    let query = RunQuery {
        commit: Some(verdict.sha.clone()),
        limit: Some(MAX_RUNS),
        ..RunQuery::default()
    };
    match state.service.run_records(query).await {
        Ok((runs, _)) => super::ok(
            &format!("Commit {}", short(&verdict.sha)),
            None,
            body(&verdict, &runs),
        ),
        Err(err) => super::failed(err),
    }
}

/// The page's content, as a pure function of the verdict and the runs.
pub fn body(status: &CommitVerdict, runs: &[RunRecord]) -> Markup {
    html! {
        h1 {
            "Commit " code { (short(&status.sha)) }
            span #commit-verdict class={ "badge " (status.state.as_str()) } { (status.state.as_str()) }
        }
        p #description { (status.description) }
        p .muted { "Full SHA " code { (status.sha) } ". The verdict counts the latest run of each scenario suite." }
        @if !status.failing.is_empty() {
            div .card {
                h2 { "Failing" }
                ul #failing {
                    @for f in &status.failing {
                        li .failing-scenario {
                            strong { (f.scenario) } " (" (f.outcome.as_str()) ") "
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
