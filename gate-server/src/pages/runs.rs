//! `GET /runs`: every run, newest first, with its verdict; filters by branch and state; pages
//! of 50.
//!
//! Ids: `#filters` (form) with `#filter-branch`, `#filter-state`, `#apply-filters`; `#runs`
//! (table) with one `tr.run` per run (`data-testid="run-<id>"`, `data-commit="<sha>"`), whose
//! `.verdict` badge holds the state; `#older`, `#newest` (paging links); `#no-runs`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{badge, duration, short, when};
use crate::model::RunState;
use crate::service::{RunQuery, ServiceError};
use crate::state::AppState;
use crate::store::RunRecord;

const PAGE: u32 = 50;

/// The filters as a browser sends them: an empty field means "any".
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    branch: String,
    #[serde(default)]
    state: String,
    before: Option<String>,
}

impl Filters {
    fn state(&self) -> Option<RunState> {
        RunState::parse(&self.state)
    }

    /// The query string of these filters, for paging links.
    fn query(&self, before: Option<&str>) -> String {
        let mut parts = Vec::new();
        if !self.branch.is_empty() {
            parts.push(format!("branch={}", super::encode(&self.branch)));
        }
        if let Some(state) = self.state() {
            parts.push(format!("state={}", state.as_str()));
        }
        if let Some(before) = before {
            parts.push(format!("before={}", super::encode(before)));
        }
        format!("/runs?{}", parts.join("&"))
    }
}

pub async fn page(
    State(state): State<AppState>,
    query: Result<Query<Filters>, QueryRejection>,
) -> Response {
    let filters = query.map(|Query(f)| f).unwrap_or_default();
    let mut list = RunQuery {
        commit: None,
        branch: Some(filters.branch.trim().to_string()).filter(|b| !b.is_empty()),
        state: filters.state(),
        before: filters.before.clone(),
        limit: Some(PAGE),
    };
    let mut found = state.service.run_records(list.clone()).await;
    if let Err(ServiceError::Invalid { field: Some(f), .. }) = &found
        && f == "before"
    {
        // An unknown cursor shows the first page rather than an error.
        list.before = None;
        found = state.service.run_records(list).await;
    }
    match found {
        Ok((runs, next)) => super::ok("Runs", None, view(&filters, &runs, next.as_deref())),
        Err(err) => super::failed(err),
    }
}

fn filter_form(filters: &Filters) -> Markup {
    let chosen = filters.state();
    html! {
        form #filters .filters method="get" action="/runs" {
            label { "Branch" input #filter-branch type="text" name="branch" value=(filters.branch) placeholder="any"; }
            label {
                "State"
                select #filter-state name="state" {
                    option value="" selected[chosen.is_none()] { "any" }
                    @for s in RunState::ALL {
                        option value=(s.as_str()) selected[chosen == Some(*s)] { (s.as_str()) }
                    }
                }
            }
            button #apply-filters type="submit" { "Filter" }
            @if chosen.is_some() || !filters.branch.is_empty() { a #clear-filters href="/runs" { "Clear" } }
        }
    }
}

/// The list, as a pure function of the runs.
pub fn view(filters: &Filters, runs: &[RunRecord], next: Option<&str>) -> Markup {
    html! {
        h1 { "Runs" }
        (filter_form(filters))
        @if runs.is_empty() {
            p #no-runs .muted { "No runs match. Submit one with " code { "gate submit" } " or a GitHub webhook." }
        } @else {
            (table(runs, "runs"))
        }
        p .actions {
            @if filters.before.is_some() { a #newest href=(filters.query(None)) { "Newest runs" } }
            @if let Some(next) = next { a #older href=(filters.query(Some(next))) { "Older runs" } }
        }
    }
}

/// A table of runs (also on the commit page); `id` is the table's element id.
pub fn table(runs: &[RunRecord], id: &str) -> Markup {
    html! {
        table id=(id) {
            thead { tr { th { "Verdict" } th { "Commit" } th { "Branch" } th { "PR" } th { "Created" } th { "Duration" } } }
            tbody {
                @for run in runs {
                    tr .run data-testid={ "run-" (run.id) } data-commit=(run.commit) {
                        td .verdict { (badge(run.state.as_str())) }
                        td { a href={ "/runs/" (super::encode(&run.id)) } title=(run.commit) { code { (short(&run.commit)) } } }
                        td { @if let Some(b) = &run.branch { code { (b) } } }
                        td { @if let Some(pr) = run.pr { "#" (pr) } }
                        td .muted { (when(run.created_at)) }
                        td { @if let (Some(s), Some(f)) = (run.started_at, run.finished_at) { (duration(f.saturating_sub(s).max(0) as u64)) } }
                    }
                }
            }
        }
    }
}
