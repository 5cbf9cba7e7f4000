//! `GET /review`: the seven-gate review — each gate installed, partial or missing, with the
//! evidence gate holds and, for what is missing, what to add (with the `gate.toml` snippet).
//!
//! Ids: `#review-summary`; `#gates` (list) with one `li.gate` per gate (`data-gate="<id>"`,
//! `data-status="installed|partial|missing"`), whose `.status` badge holds the state,
//! `.evidence` the evidence, `.advice` what to do and `pre.snippet` the snippet.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use crate::review::{Review, Status};
use crate::state::AppState;

const STYLE: &str = "ol#gates{list-style:none;padding:0}li.gate{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}\
li.gate h2{font-size:1.05rem;margin:0 0 .3rem;display:flex;gap:.6rem;align-items:center}\
.installed{background:var(--passed)}.partial{background:var(--flaky)}.missing{background:var(--failed)}\
ul.evidence{color:var(--muted);margin:.2rem 0}pre.snippet{background:var(--code-bg);padding:.5rem;border-radius:6px}";

pub async fn page(State(state): State<AppState>) -> Response {
    match state.service.review().await {
        Ok(review) => super::ok(
            "Review",
            Some(html! { style { (maud::PreEscaped(STYLE)) } }),
            view(&review),
        ),
        Err(err) => super::failed(err),
    }
}

/// The page, as a pure function of the review.
pub fn view(r: &Review) -> Markup {
    html! {
        h1 { "The seven gates" }
        p #review-summary { (r.summary) ". Also as " code { "gate review --markdown" } " to paste into a ticket." }
        ol #gates {
            @for g in &r.gates {
                li .gate data-gate=(g.id) data-status=(g.status.as_str()) {
                    h2 {
                        (g.number) ". " (g.name)
                        span class={ "status badge " (g.status.as_str()) } { (g.status.as_str()) }
                    }
                    ul .evidence { @for e in &g.evidence { li { (e) } } }
                    @if g.status != Status::Installed {
                        ul .advice { @for a in &g.advice { li { (a) } } }
                        @if let Some(snippet) = g.snippet { pre .snippet { code { (snippet) } } }
                    }
                }
            }
        }
    }
}
