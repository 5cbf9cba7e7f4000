//! `GET /deployments`: what each service serves now (and its deployment in progress), then
//! every deployment, newest first (service, version, the version it replaces, phase, weight,
//! who, when), filtered by service; pages of 50.
//!
//! Ids: `#services` (table) with one `tr.service` per service (`data-testid="service-<name>"`),
//! whose `.serving` cell holds the version serving and `.in-progress` the deployment in
//! progress; `#filters` (form) with `#filter-service`, `#apply-filters`; `#deployments`
//! (table) with one `tr.deployment` per deployment (`data-testid="deployment-<id>"`,
//! `data-phase="<phase>"`), whose `.phase` badge holds the phase; `#older`, `#newest` (paging
//! links); `#no-deployments`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use gate_wire::{DeploymentView, ServiceView};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{badge, when_text};
use crate::service::ServiceError;
use crate::state::AppState;
use crate::views::deploys::{deployment_view, service_view};

const PAGE: u32 = 50;

/// The filter as a browser sends it: an empty field means "any".
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    service: String,
    before: Option<String>,
}

impl Filters {
    fn service(&self) -> Option<&str> {
        Some(self.service.trim()).filter(|s| !s.is_empty())
    }

    /// The query string of this filter, for paging links.
    fn query(&self, before: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(service) = self.service() {
            parts.push(format!("service={}", super::encode(service)));
        }
        if let Some(before) = before {
            parts.push(format!("before={}", super::encode(before)));
        }
        format!("/deployments?{}", parts.join("&"))
    }
}

pub async fn page(
    State(state): State<AppState>,
    query: Result<Query<Filters>, QueryRejection>,
) -> Response {
    let filters = query.map(|Query(f)| f).unwrap_or_default();
    let services = match serving(&state).await {
        Ok(services) => services,
        Err(err) => return super::failed(err),
    };
    let found = state
        .service
        .deployments(filters.service(), filters.before.as_deref(), PAGE + 1)
        .await;
    let mut records = match found {
        Ok(records) => records,
        Err(err) => return super::failed(err),
    };
    let next = (records.len() > PAGE as usize).then(|| {
        records.truncate(PAGE as usize);
        records.last().map(|r| r.id.clone())
    });
    // Links relative to the page: they work whatever the public URL says.
    let deployments: Vec<DeploymentView> = records
        .iter()
        .map(|r| deployment_view("", r, &[]))
        .collect();
    super::ok(
        "Deployments",
        None,
        view(&filters, &services, &deployments, next.flatten().as_deref()),
    )
}

/// What each configured service serves and its deployment in progress, as `GET
/// /api/v1/services` tells it.
async fn serving(state: &AppState) -> Result<Vec<ServiceView>, ServiceError> {
    let service = &state.service;
    let mut list = Vec::new();
    for config in service.services() {
        let serving = service.serving(&config.name).await?;
        let active = service
            .deployments(Some(&config.name), None, 1)
            .await?
            .into_iter()
            .find(|d| !d.phase.is_final());
        let router = service
            .routers()
            .get(&config.name)
            .map(gate_traffic::TrafficRouter::describe)
            .unwrap_or_default();
        list.push(service_view(
            &config.name,
            &router,
            serving.as_ref(),
            active.as_ref(),
        ));
    }
    Ok(list)
}

fn filter_form(filters: &Filters, services: &[ServiceView]) -> Markup {
    let chosen = filters.service();
    html! {
        form #filters .filters method="get" action="/deployments" {
            label {
                "Service"
                select #filter-service name="service" {
                    option value="" selected[chosen.is_none()] { "any" }
                    @for s in services {
                        option value=(s.name) selected[chosen == Some(s.name.as_str())] { (s.name) }
                    }
                }
            }
            button #apply-filters type="submit" { "Filter" }
            @if chosen.is_some() { a #clear-filters href="/deployments" { "Clear" } }
        }
    }
}

/// The page, as a pure function of the services and the deployments.
pub fn view(
    filters: &Filters,
    services: &[ServiceView],
    deployments: &[DeploymentView],
    next: Option<&str>,
) -> Markup {
    html! {
        h1 { "Deployments" }
        @if services.is_empty() {
            p #no-services .muted { "This server deploys no services: add " code { "[[services]]" } " to its gate.toml." }
        } @else {
            table #services {
                thead { tr { th { "Service" } th { "Serving" } th { "URL" } th { "Deployment in progress" } th { "Router" } } }
                tbody {
                    @for s in services {
                        tr .service data-testid={ "service-" (s.name) } {
                            td { strong { (s.name) } }
                            td .serving { @if let Some(v) = &s.version { code { (v) } } @else { span .muted { "unknown" } } }
                            td { @if let Some(url) = &s.url { code { (url) } } }
                            td .in-progress {
                                @if let Some(id) = &s.deployment {
                                    a href={ "/deployments/" (super::encode(id)) } { "in progress" }
                                } @else { span .muted { "none" } }
                            }
                            td .muted { (s.router) }
                        }
                    }
                }
            }
        }
        h2 { "History" }
        (filter_form(filters, services))
        @if deployments.is_empty() {
            p #no-deployments .muted { "No deployments match. Start one with " code { "gate deploy" } "." }
        } @else {
            table #deployments {
                thead { tr { th { "Phase" } th { "Service" } th { "Version" } th { "Replacing" } th { "Weight" } th { "Who" } th { "When" } } }
                tbody {
                    @for d in deployments {
                        tr .deployment data-testid={ "deployment-" (d.id) } data-phase=(d.phase.as_str()) {
                            td .phase { (badge(d.phase.as_str())) }
                            td { (d.service) }
                            td { a href=(d.html) { code { (d.version) } } }
                            td { @if let Some(from) = &d.from_version { code { (from) } } }
                            td { (d.weight) "%" }
                            td { (d.actor) @if d.forced { " " span .badge .failed title="deployed although its commit was not green" { "override" } } }
                            td .muted { (when_text(&d.created_at)) }
                        }
                    }
                }
            }
        }
        p .actions {
            @if filters.before.is_some() { a #newest href=(filters.query(None)) { "Newest deployments" } }
            @if let Some(next) = next { a #older href=(filters.query(Some(next))) { "Older deployments" } }
        }
    }
}
