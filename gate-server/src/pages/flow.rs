//! `GET /flow`: the release flow as a diagram (laid out and drawn on the server by
//! `gate_flow::diagram`, inline SVG: no script, no foreign resource), then the stage table and
//! the risks with what to do about each.
//!
//! Ids: `#flow-diagram` (the figure; its `svg[role=img]` is named by its `<title>`: "Release
//! flow: N stages, M manual, K risks"); `#flow-notes`; `#flow-stages` (table) with one
//! `tr.stage` per stage (`data-stage`, `data-kind`, `data-automated="true|false"`); `#flow-risks`
//! (a list headed "Risks") with one `li.risk` per risk (`data-stage`, `data-kind`), whose
//! `.advice` says what to do; `#no-risks`.

use axum::extract::State;
use axum::response::Response;
use gate_flow::diagram::{Diagram, diagram};
use gate_wire as wire;
use maud::{Markup, PreEscaped, html};

use super::layout::when_text;
use crate::state::AppState;
use crate::views::flow::flow_view;

const STYLE: &str = "figure.flow{margin:1rem 0;overflow-x:auto;background:#fff;border:1px solid var(--border);border-radius:8px;padding:.75rem}\
figure.flow figcaption{color:#59636e;font-size:.85rem;margin-top:.4rem}\
.legend-automated{border-left:6px solid #2b6cb0;padding-left:.4rem}.legend-manual{border-left:6px solid #b7791f;padding-left:.4rem}\
.legend-risk{border-left:6px solid #c53030;padding-left:.4rem}\
ul.risks{padding-left:1.2rem}ul.risks li{margin:.4rem 0}.risk-kind{background:var(--failed)}";

pub async fn page(State(state): State<AppState>) -> Response {
    let report = match state.service.flow().await {
        Ok(r) => r,
        Err(err) => return super::failed(err),
    };
    let drawn = diagram(&report, "flow");
    let head = html! { style { (PreEscaped(STYLE)) } };
    super::ok(
        "Release flow",
        Some(head),
        view(&flow_view(&report), &drawn),
    )
}

/// The page, as a pure function of the flow and its diagram.
pub fn view(flow: &wire::Flow, drawn: &Diagram) -> Markup {
    html! {
        h1 { "Release flow" }
        p .muted {
            "Figures over the last " (flow.window_days) " days. "
            span .legend-automated { "automated" } " "
            span .legend-manual { "manual" } " "
            span .legend-risk { "at risk" }
        }
        figure #flow-diagram .flow {
            // Drawn by gate_flow::diagram; every text in it is escaped there.
            (PreEscaped(&drawn.svg))
            figcaption { (drawn.title) }
        }
        @if !flow.notes.is_empty() {
            ul #flow-notes { @for note in &flow.notes { li { (note) } } }
        }
        h2 #risks-title { "Risks" }
        @if flow.risks.is_empty() {
            p #no-risks .muted { "No risk found." }
        } @else {
            ul #flow-risks .risks aria-labelledby="risks-title" {
                @for r in &flow.risks {
                    li .risk data-stage=(r.stage) data-kind=(r.kind) {
                        span class="badge risk-kind" { (r.kind.replace('_', " ")) } " "
                        strong { (r.stage) } ": " (r.message) "."
                        br;
                        span .advice { "What to do: " (r.advice) "." }
                    }
                }
            }
        }
        h2 { "Stages" }
        table #flow-stages {
            thead { tr {
                th { "#" } th { "Stage" } th { "Done by" } th { "Owners" } th { "Runs" }
                th { "Median" } th { "Failed" } th { "Last performed" } th { "Details" }
            } }
            tbody {
                @for s in &flow.stages {
                    tr .stage data-stage=(s.name) data-kind=(s.kind) data-automated=(s.automated) {
                        td { (s.position) }
                        td { strong { (s.name) } br; span .muted { (s.kind) } }
                        td { @if s.automated { "gate" } @else { "people" } }
                        td { (s.owners.join(", ")) }
                        td { (s.runs) }
                        td {
                            @match &s.median {
                                Some(m) if s.median_is_usual => { (m) " " span .muted { "(usually)" } }
                                Some(m) => { (m) }
                                None => { span .muted { "—" } }
                            }
                        }
                        td { @match s.failure_share {
                            Some(share) => { (format!("{:.0}%", share * 100.0)) }
                            None => { span .muted { "—" } }
                        } }
                        td { @if let Some(p) = &s.last_performed {
                            (p.release) " by " (p.by) br; span .muted { (when_text(&p.at)) }
                        } }
                        td {
                            @for line in &s.detail { (line) br; }
                            @if let Some(url) = &s.runbook { a href=(url) rel="noreferrer" { "runbook" } }
                        }
                    }
                }
            }
        }
    }
}
