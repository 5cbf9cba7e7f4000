//! `GET /deployments/{id}`: one deployment — its phase, step and weight with a picture of the
//! traffic split, the canary's plan (the current step marked), the latest decision with both
//! versions' requests, errors and error rates (and a picture of the rates) and its summary
//! line, the log (transitions, hook output, notes), the deployment's audit entries, and links
//! to its postmortem and JSON. A deployment in progress refreshes itself every few seconds (a
//! meta refresh: no script).
//!
//! Ids: `#deployment-phase` (badge, `data-phase="<phase>"`), `#forced` (when the gate was
//! overridden), `#reason`, `#commit-link`, `#step`, `#weight`, `#held`, `#step-hold`,
//! `#traffic-split` (SVG, titled `#traffic-split-title`) and `#traffic-split-text`; `#plan`
//! (table) with one `tr.step` per step (`data-step="<n>"`, counted from 1), the current one
//! `.current` with `aria-current="step"`; `#decision` (card) with `#judgement` (badge),
//! `#decision-summary`, `#decision-canary` and `#decision-stable` (rows), `#error-rates`
//! (SVG), or `#no-decision`; `#log` (list) with one `li.log-line` per line (`data-kind`:
//! transition, hook, decision, note), hook output in `pre`; `#audit` (table) with one
//! `tr.audit-entry` per entry (`data-seq`); `#postmortem-link`, `#json-link`,
//! `#deployments-link`.

use axum::extract::{Path, State};
use axum::response::Response;
use gate_wire::{AuditEntry, Decision, DeployPhase, DeploymentView, TrafficCounts};
use maud::{Markup, html};

use super::deploy_charts::{error_rates, percent, traffic_split};
use super::layout::{duration, short, when, when_text};
use crate::state::AppState;
use crate::store::AuditFilter;
use crate::views::deploys::{audit_entry, deployment_view};

/// Seconds between refreshes of a deployment in progress.
const REFRESH_SECS: u32 = 5;

pub async fn page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let (record, log) = match state.service.deployment(&id).await {
        Ok(found) => found,
        Err(err) => return super::failed(err),
    };
    let filter = AuditFilter {
        deployment: Some(record.id.clone()),
        ..AuditFilter::default()
    };
    let entries = match state.service.audit(&filter).await {
        Ok(entries) => entries,
        Err(err) => return super::failed(err),
    };
    // Links relative to the page: they work whatever the public URL says.
    let view = deployment_view("", &record, &log);
    let audit: Vec<AuditEntry> = entries.iter().map(audit_entry).collect();
    let refresh = (!view.phase.is_final())
        .then(|| html! { meta http-equiv="refresh" content=(REFRESH_SECS); });
    super::ok(
        &format!("Deployment of {} {}", view.service, view.version),
        refresh,
        body(&view, &audit),
    )
}

/// The page's content, as a pure function of the deployment and its audit entries.
pub fn body(view: &DeploymentView, audit: &[AuditEntry]) -> Markup {
    let phase = view.phase.as_str();
    let id = super::encode(&view.id);
    let stable = view.from_version.as_deref().unwrap_or("stable");
    html! {
        h1 {
            "Deployment of " (view.service) " " code { (view.version) }
            span #deployment-phase class={ "badge " (phase) } data-phase=(phase) { (phase.replace('_', " ")) }
        }
        div .card {
            dl .facts {
                dt { "Version" } dd {
                    code { (view.version) }
                    @if let Some(url) = &view.url { " at " code { (url) } }
                }
                dt { "Replacing" } dd { @if let Some(from) = &view.from_version { code { (from) } } @else { "nothing" } }
                dt { "Commit" } dd { a #commit-link href={ "/commits/" (super::encode(&view.commit)) } title=(view.commit) { code { (short(&view.commit)) } } }
                dt { "Asked for by" } dd { (view.actor) }
                @if view.forced {
                    dt { "Override" } dd #forced .fail { "deployed although its commit's gate verdict was not success" }
                }
                @if let Some(reason) = &view.reason { dt { "Reason" } dd #reason { (reason) } }
                dt { "Created" } dd { (when_text(&view.created_at)) }
                @if let Some(finished) = &view.finished_at { dt { "Finished" } dd { (when_text(finished)) } }
                dt { "Deployment id" } dd { code { (view.id) } }
            }
            p .actions {
                a #postmortem-link href={ "/api/v1/deployments/" (id) "/postmortem" } { "Postmortem (Markdown)" }
                a #json-link href={ "/api/v1/deployments/" (id) } { "JSON" }
                a #deployments-link href={ "/deployments?service=" (super::encode(&view.service)) } { "All deployments of " (view.service) }
            }
        }
        div .card {
            h2 { "Traffic" }
            p { (where_it_is(view)) }
            @if view.held {
                p #held .fail { "Held: the canary waits for a person to move it on (" code { "gate advance" } " or " code { "gate promote" } "). The gate still rolls back a failing canary." }
            }
            @if let (Some(started), Some(hold)) = (&view.step_started_at, current_hold(view)) {
                p #step-hold .muted { "The step began at " (when_text(started)) " and holds at least " (duration(hold)) "." }
            }
            (traffic_split(&view.version, stable, view.weight))
        }
        div .card {
            h2 { "Plan" }
            (plan(view))
        }
        div #decision .card {
            h2 { "Latest decision" }
            @match &view.decision {
                Some(d) => (decision(view, stable, d)),
                None => p #no-decision .muted { "No decision yet: the analysis judges the canary once it takes traffic." },
            }
        }
        h2 { "Log" }
        ol #log .log {
            @for line in &view.log {
                li .log-line class=(line.kind) data-kind=(line.kind) {
                    span .muted { (when_text(&line.at)) } " " strong { (line.kind) } " "
                    @if line.kind == "hook" { pre { (line.text) } } @else { (line.text) }
                }
            }
        }
        h2 { "Audit log" }
        (audit_table(audit))
    }
}

/// The hold of the current canary step, if it has one.
fn current_hold(view: &DeploymentView) -> Option<u64> {
    if view.phase != DeployPhase::Canary {
        return None;
    }
    view.plan.get(view.step? as usize)?.hold_ms
}

/// Where the deployment is, with `#step` and `#weight`.
fn where_it_is(view: &DeploymentView) -> Markup {
    html! {
        @match (view.phase, view.step) {
            (DeployPhase::Canary, Some(step)) => {
                "Step " span #step { (step + 1) " of " (view.plan.len()) } ": "
                span #weight { (view.weight) "%" } " of traffic on " code { (view.version) } "."
            }
            (DeployPhase::Pending, _) => {
                "Bringing " code { (view.version) } " up: it takes no traffic yet ("
                span #weight { (view.weight) "%" } ")."
            }
            (DeployPhase::Promoted, _) => {
                code { (view.version) } " takes " span #weight { (view.weight) "%" } " of traffic."
            }
            _ => {
                "Over: " (view.phase.as_str().replace('_', " ")) "; "
                code { (view.version) } " takes " span #weight { (view.weight) "%" } " of traffic."
            }
        }
    }
}

fn plan(view: &DeploymentView) -> Markup {
    let current = (view.phase == DeployPhase::Canary)
        .then_some(view.step)
        .flatten();
    html! {
        @if view.plan.is_empty() {
            p .muted { "The plan is not known." }
        } @else {
            table #plan {
                thead { tr { th { "Step" } th { "Weight" } th { "Holds" } } }
                tbody {
                    @for (i, step) in view.plan.iter().enumerate() {
                        @let now = current == Some(i as u32);
                        tr .step .current[now] data-step=(i + 1) aria-current=[now.then_some("step")] {
                            td { (i + 1) @if now { " (now)" } }
                            td { (step.weight) "%" }
                            td {
                                @match step.hold_ms {
                                    Some(ms) => (duration(ms)),
                                    None if step.weight >= 100 => span .muted { "promotion" },
                                    None => span .muted { "until a person moves it on" },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn numbers(id: &str, version: &str, role: &str, c: &TrafficCounts) -> Markup {
    html! {
        tr id=(id) {
            td { code { (version) } } td { (role) } td { (c.requests) } td { (c.errors) }
            td .rate { (percent(c.error_rate)) }
            td { @if let Some(p95) = c.p95_ms { (format!("{p95:.0} ms")) } }
        }
    }
}

fn decision(view: &DeploymentView, stable: &str, d: &Decision) -> Markup {
    html! {
        p { span #judgement class={ "badge " (d.judgement) } { (d.judgement) } " " span .muted { "at " (when(d.at_ms)) } }
        p #decision-summary { (d.summary) }
        table #decision-numbers {
            thead { tr { th { "Version" } th { "Role" } th { "Requests" } th { "Errors" } th { "Error rate" } th { "p95" } } }
            tbody {
                (numbers("decision-canary", &view.version, "canary", &d.canary))
                (numbers("decision-stable", stable, "stable", &d.stable))
            }
        }
        (error_rates(&view.version, stable, d))
    }
}

fn audit_table(audit: &[AuditEntry]) -> Markup {
    html! {
        @if audit.is_empty() {
            p #audit .muted { "No audit entries." }
        } @else {
            table #audit {
                thead { tr { th { "#" } th { "When" } th { "Who" } th { "Action" } th { "Versions" } th { "Reason" } } }
                tbody {
                    @for e in audit {
                        tr .audit-entry data-seq=(e.seq) {
                            td { (e.seq) }
                            td .muted { (when_text(&e.at)) }
                            td { (e.actor) }
                            td { code { (e.action) } }
                            td { (e.from_version.as_deref().unwrap_or("–")) " → " (e.to_version.as_deref().unwrap_or("–")) }
                            td { (e.reason.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}
