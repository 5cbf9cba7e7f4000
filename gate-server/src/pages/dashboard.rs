//! `GET /dashboard`: the confidence dashboard. This week's deploy success rate and the digest's
//! headline, one tile per DORA metric (value, band, change against the week before), and five
//! charts over the last 12 weeks — deploys per week, success rate, lead time, recovery time and
//! gate pass rate — drawn on the server as SVG by `gate-charts`, each with its title and its
//! text alternative. `?service=` narrows everything to one service.
//!
//! The numbers are the DORA report's (`Service::weekly`), the same that `gate report` and the
//! digest print. The page updates itself: one line of script (allowed by its hash, on this page
//! only) listens to `GET /dashboard/updates` and reloads the page when a deployment ends or
//! history is recorded; without script, the page refreshes every minute.
//!
//! Ids: `#dashboard-service` (form) with `#filter-service`; `#headline` (section) with
//! `#success-rate` (`93%`, or `no deploys`), `#deploys-successful`, `#deploys-this-week`,
//! `#headline-text`; `#metrics` with one `.tile` per figure (`data-metric="<slug>"`) holding
//! `.value`, `.band` and `.change`; `#charts` with one `figure` per chart (`#chart-<id>`)
//! whose `<svg id="<id>">` is `role="img"` and labelled by its title and description, the ids
//! being `weekly-deploys`, `weekly-success-rate`, `weekly-lead-time`, `weekly-recovery` and
//! `weekly-gate-pass-rate`;
//! `#live` (whether the page updates live).

use std::convert::Infallible;
use std::sync::LazyLock;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as Sse, KeepAlive};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::StreamExt;
use gate_charts::{Chart, Kind, Point, Unit};
use gate_dora::digest::lines::{MetricLine, Summary};
use gate_dora::{Report, WeekPoint};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::layout::{self, Chrome};
use tokio::sync::broadcast::error::RecvError;

use crate::events::Event;
use crate::state::AppState;
use crate::store::now_ms;

/// Weeks the charts cover.
pub const WEEKS: usize = 12;

/// The page's only script: reload when the server says the figures changed, and say that the
/// page is live once the stream is open.
pub const SCRIPT: &str = "const l=document.getElementById('live'),s=new EventSource('/dashboard/updates');\
s.onopen=()=>{l.textContent='Live: updates when a deployment ends';l.dataset.live='on'};\
s.addEventListener('changed',()=>location.reload());";

/// `'sha256-…'` of [`SCRIPT`], for the page's content security policy.
pub static SCRIPT_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(SCRIPT.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default)]
    service: String,
}

pub async fn page(
    State(state): State<AppState>,
    query: Result<Query<Filter>, QueryRejection>,
) -> Response {
    let filter = query.map(|Query(f)| f).unwrap_or_default();
    let service = Some(filter.service.trim()).filter(|s| !s.is_empty());
    let (weeks, report) = match state.service.weekly(now_ms(), WEEKS, service).await {
        Ok(data) => data,
        Err(err) => return super::failed(err),
    };
    let mut services: Vec<String> = state
        .config()
        .services
        .iter()
        .map(|s| s.name.clone())
        .collect();
    if service.is_none() {
        services.extend(report.services.iter().map(|s| s.service.clone()));
    }
    services.extend(service.map(str::to_string));
    services.sort();
    services.dedup();
    let body = view(&Dashboard {
        report: &report,
        weeks: &weeks,
        service,
        services: &services,
    });
    let head = html! { noscript { meta http-equiv="refresh" content="60"; } };
    layout::respond_scripted(
        StatusCode::OK,
        layout::page("Dashboard", Chrome::SignedIn, Some(head), body),
        &SCRIPT_HASH,
    )
}

/// What the page shows.
pub struct Dashboard<'a> {
    /// This week's report.
    pub report: &'a Report,
    /// The last [`WEEKS`] weeks, oldest first; the last is this week.
    pub weeks: &'a [WeekPoint],
    pub service: Option<&'a str>,
    /// The services to choose from.
    pub services: &'a [String],
}

/// The page's body, as a pure function of its data.
pub fn view(d: &Dashboard) -> Markup {
    let summary = Summary::of(d.report, d.weeks);
    let deploys = &d.report.deploys;
    let rate = (deploys.finished > 0).then(|| deploys.successful as f64 / deploys.finished as f64);
    html! {
        h1 {
            "Dashboard"
            @if let Some(service) = d.service { " · " (service) }
        }
        form #dashboard-service .filters method="get" action="/dashboard" {
            label {
                "Service"
                select #filter-service name="service" {
                    option value="" selected[d.service.is_none()] { "All services" }
                    @for s in d.services {
                        option value=(s) selected[d.service == Some(s.as_str())] { (s) }
                    }
                }
            }
            button type="submit" { "Show" }
            span #live .muted { "Refreshes every minute" }
        }
        section #headline .card {
            p .muted { "Deploy success rate " (d.report.period.label) " (" (d.report.period.time_zone) ")" }
            p #success-rate .big {
                @match rate { Some(r) => (percent_whole(r)), None => "no deploys" }
            }
            p {
                span #deploys-successful { (deploys.successful) } " of "
                span #deploys-this-week { (deploys.finished) }
                @if deploys.finished == 1 { " deploy" } @else { " deploys" }
                " successful"
            }
            p #headline-text { (summary.headline) }
        }
        section #metrics .tiles aria-label="DORA metrics" {
            @for metric in summary.metrics.iter().chain(std::iter::once(&summary.gate)) {
                (tile(metric))
            }
        }
        p .muted { (summary.bands_note) ". Definitions: the README's DORA section; the same figures as JSON: "
            a href={ "/api/v1/report" } { code { "GET /api/v1/report" } } "." }
        section #charts .charts aria-label={ "The last " (d.weeks.len()) " weeks" } {
            @for chart in charts(d.weeks) {
                figure #{ "chart-" (chart.id) } .card {
                    figcaption { h2 { (chart.title) } }
                    // gate-charts escapes every label and title it writes.
                    (PreEscaped(gate_charts::svg(&chart)))
                    details { summary { "As text" } p { (gate_charts::describe(&chart)) } }
                }
            }
        }
        script { (PreEscaped(SCRIPT)) }
    }
}

/// `93%`: a whole percentage, as a headline reads.
fn percent_whole(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

fn tile(m: &MetricLine) -> Markup {
    let trend = match m.better {
        Some(true) => "change better",
        Some(false) => "change worse",
        None => "change",
    };
    html! {
        div .tile data-metric=(slug(m.name)) {
            h3 { (m.name) }
            p .value { (m.value) }
            p {
                @if let Some(band) = &m.band {
                    span class={ "band badge band-" (slug(band)) } { (band) } " "
                }
                span class=(trend) { (m.change) }
            }
        }
    }
}

/// `Lead time for changes` → `lead-time-for-changes`.
fn slug(name: &str) -> String {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The five charts, in reading order.
pub fn charts(weeks: &[WeekPoint]) -> Vec<Chart> {
    let series =
        |id: &str, title: &str, unit, kind, value: &dyn Fn(&WeekPoint) -> Option<f64>| Chart {
            id: id.to_string(),
            title: title.to_string(),
            unit,
            kind,
            points: weeks
                .iter()
                .map(|w| Point {
                    label: w.label.clone(),
                    value: value(w),
                })
                .collect(),
        };
    let millis = |ms: Option<i64>| ms.map(|v| v as f64);
    vec![
        series(
            "weekly-deploys",
            "Deploys per week",
            Unit::Count,
            Kind::Bars,
            &|w| Some(w.deploys as f64),
        ),
        series(
            "weekly-success-rate",
            "Deploy success rate",
            Unit::Ratio,
            Kind::Line,
            &|w| w.success_rate,
        ),
        series(
            "weekly-lead-time",
            "Lead time for changes (median)",
            Unit::Millis,
            Kind::Line,
            &|w| millis(w.lead_time_median_ms),
        ),
        series(
            "weekly-recovery",
            "Failed deployment recovery time (median)",
            Unit::Millis,
            Kind::Line,
            &|w| millis(w.recovery_median_ms),
        ),
        series(
            "weekly-gate-pass-rate",
            "Gate pass rate",
            Unit::Ratio,
            Kind::Line,
            &|w| w.gate_pass_rate,
        ),
    ]
}

/// `GET /dashboard/updates`: Server-Sent Events for the open dashboards, one `changed` event
/// whenever the figures may have changed (a deployment ended, a service serves another version,
/// a run finished, history was recorded), and one after falling behind, since something was
/// missed. The stream ends when the server stops.
pub async fn updates(State(state): State<AppState>) -> Response {
    let receiver = state.service.events().subscribe();
    let changes = futures::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) if changes_figures(&event) => break,
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return None,
            }
        }
        // A browser dispatches no event without data.
        let changed = Sse::default().event("changed").data("figures");
        Some((Ok::<_, Infallible>(changed), receiver))
    });
    axum::response::sse::Sse::new(changes.take_until(state.shutdown.clone().cancelled_owned()))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// Whether an event may change what the dashboard shows.
fn changes_figures(event: &Event) -> bool {
    match event {
        Event::DeploymentChanged(d) => d.phase.is_final(),
        Event::ServingChanged { .. }
        | Event::RunFinished { .. }
        | Event::HistoryRecorded { .. } => true,
        Event::RunQueued { .. } | Event::ScenarioFinished(_) | Event::VerdictChanged(_) => false,
    }
}

#[cfg(test)]
mod tests;
