//! The HTTP application, built in one place: the route table (method, path, who may call it,
//! handler), body limits, time limits, security headers on every answer and request metrics.
//! The OpenAPI document and the scope tests read the same table through [`endpoints`].
//!
//! Handlers live in the submodules, grouped by what they serve; they get the caller from
//! [`access`] and never check tokens themselves.

pub mod access;
mod agent;
mod commits;
mod deadline;
mod deployments;
mod digests;
mod docs;
pub mod error;
mod events;
pub mod extract;
mod flow;
mod github;
mod headers;
mod health;
mod history;
mod observe;
mod review;
mod runs;
mod same_origin;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::auth::Scope;
use crate::pages;
use crate::state::AppState;
pub use access::Access;

/// Agent results carry screenshots: they may be larger than other requests.
pub const AGENT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Agent requests may wait this long for work (long poll), plus time to upload results.
const AGENT_TIME_LIMIT: Duration = Duration::from_secs(agent::MAX_WAIT_SECS + 30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
        }
    }
}

/// Which part of the server a route belongs to (each has its own limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// JSON API for CI, people and operators.
    Api = 0,
    /// The agent protocol: long polls and large uploads.
    Agent = 1,
    /// Server-rendered pages and their forms.
    Page = 2,
}

/// A route as documented and tested: method, path (axum syntax) and who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub verb: Verb,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
}

struct Route {
    endpoint: Endpoint,
    handler: MethodRouter<AppState>,
}

impl Route {
    /// A body limit of its own (the surface's applies otherwise).
    fn body_limit(mut self, bytes: usize) -> Route {
        self.handler = self.handler.layer(DefaultBodyLimit::max(bytes));
        self
    }
}

fn route<H, T>(verb: Verb, path: &'static str, access: Access, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Route {
        endpoint: Endpoint {
            verb,
            path,
            access,
            surface: Surface::Api,
        },
        handler: on(verb.filter(), handler),
    }
}

/// Every route of the server.
#[rustfmt::skip] // one route a line: it reads as the table it is
fn table() -> Vec<Route> {
    use Access::{Open, Page, Signed, Token};
    use Scope::{Agent, Deploy, Read, Submit};
    use Verb::{Get, Post};
    let api = vec![
        route(Post, "/api/v1/runs", Token(Submit), runs::submit),
        route(Get, "/api/v1/runs", Token(Read), runs::list),
        route(Get, "/api/v1/runs/{id}", Token(Read), runs::get),
        route(Post, "/api/v1/runs/{id}/cancel", Token(Submit), runs::cancel),
        route(Post, "/api/v1/runs/{id}/rerun-failed", Token(Submit), runs::rerun_failed),
        route(Get, "/api/v1/runs/{id}/junit.xml", Token(Read), runs::junit),
        route(Get, "/api/v1/runs/{id}/report/", Token(Read), runs::report),
        route(Get, "/api/v1/runs/{id}/report/artifacts/{*path}", Token(Read), runs::artifact),
        route(Get, "/api/v1/commits/{sha}/status", Token(Read), commits::status),
        route(Get, "/api/v1/events", Token(Read), events::stream),
        route(Post, "/api/v1/deployments", Token(Deploy), deployments::deploy),
        route(Post, "/api/v1/deployments/external", Token(Deploy), history::external_deployment),
        route(Post, "/api/v1/incidents", Token(Deploy), history::incident),
        route(Post, "/api/v1/history", Token(Deploy), history::import).body_limit(gate_wire::MAX_HISTORY_BYTES),
        route(Get, "/api/v1/report", Token(Read), history::report),
        route(Get, "/api/v1/deployments", Token(Read), deployments::list),
        route(Get, "/api/v1/deployments/{id}", Token(Read), deployments::get),
        route(Post, "/api/v1/deployments/{id}/promote", Token(Deploy), deployments::promote),
        route(Post, "/api/v1/deployments/{id}/advance", Token(Deploy), deployments::advance),
        route(Post, "/api/v1/deployments/{id}/abort", Token(Deploy), deployments::abort),
        route(Get, "/api/v1/deployments/{id}/postmortem", Token(Read), deployments::postmortem),
        route(Get, "/api/v1/services", Token(Read), deployments::services),
        route(Post, "/api/v1/services/{name}/rollback", Token(Deploy), deployments::rollback),
        route(Get, "/api/v1/audit", Token(Read), deployments::audit),
        route(Get, "/api/v1/audit/verify", Token(Read), deployments::verify),
        route(Get, "/api/v1/digests", Token(Read), digests::list),
        route(Get, "/api/v1/digests/preview", Token(Read), digests::preview),
        route(Post, "/api/v1/digests/send", Token(Deploy), digests::send),
        route(Get, "/api/v1/flow", Token(Read), flow::get),
        route(Get, "/api/v1/review", Token(Read), review::get),
        route(Post, "/api/v1/flow/{stage}/done", Token(Deploy), flow::done),
        route(Post, "/api/v1/webhooks/github", Signed, github::github).body_limit(github::MAX_DELIVERY),
        route(Get, "/api/v1/openapi.json", Open, docs::openapi),
        route(Get, "/healthz", Open, health::healthz),
        route(Get, "/readyz", Open, health::readyz),
        route(Get, "/metrics", Token(Read), health::metrics),
    ];
    let agent = vec![
        route(Post, "/api/v1/agent/lease", Token(Agent), agent::lease),
        route(Post, "/api/v1/agent/jobs/{id}/heartbeat", Token(Agent), agent::heartbeat),
        route(Post, "/api/v1/agent/jobs/{id}/result", Token(Agent), agent::result),
        route(Post, "/api/v1/agent/jobs/{id}/release", Token(Agent), agent::release),
    ];
    let pages = vec![
        route(Get, "/", Open, || async { Redirect::to("/runs") }),
        route(Get, "/dashboard", Page(Read), pages::dashboard::page),
        route(Get, "/review", Page(Read), pages::review::page),
        route(Get, "/dashboard/updates", Page(Read), pages::dashboard::updates),
        route(Get, "/runs", Page(Read), pages::runs::page),
        route(Get, "/runs/{id}", Page(Read), pages::run::page),
        route(Post, "/runs/{id}/cancel", Page(Submit), pages::run::cancel),
        route(Post, "/runs/{id}/rerun-failed", Page(Submit), pages::run::rerun_failed),
        route(Get, "/commits/{sha}", Page(Read), pages::commit::page),
        route(Get, "/deployments", Page(Read), pages::deployments::page),
        route(Get, "/deployments/{id}", Page(Read), pages::deployment::page),
        route(Get, "/digests", Page(Read), pages::digests::page),
        route(Get, "/flow", Page(Read), pages::flow::page),
        route(Get, "/login", Open, pages::login::form),
        route(Post, "/login", Open, pages::login::login),
        route(Post, "/logout", Open, pages::login::logout),
    ];
    let on_surface = |routes: Vec<Route>, surface| {
        routes.into_iter().map(move |mut r| {
            r.endpoint.surface = surface;
            r
        })
    };
    on_surface(api, Surface::Api)
        .chain(on_surface(agent, Surface::Agent))
        .chain(on_surface(pages, Surface::Page))
        .collect()
}

/// Every route of the server, without handlers: for the OpenAPI document and the tests.
pub fn endpoints() -> Vec<Endpoint> {
    table().into_iter().map(|r| r.endpoint).collect()
}

pub fn app(state: AppState) -> Router {
    let config = state.config();
    // One router per surface, so each gets its own limits.
    let mut surfaces: [Router<AppState>; 3] = Default::default();
    for Route { endpoint, handler } in table() {
        let slot = &mut surfaces[endpoint.surface as usize];
        let handler = access::guarded(handler, &state.tokens, endpoint.access);
        *slot = std::mem::take(slot).route(endpoint.path, handler);
    }
    let [api, agent, pages] = surfaces;
    let limits = |router: Router<AppState>, body: usize, time: Duration| {
        router
            .layer(DefaultBodyLimit::max(body))
            .layer(middleware::from_fn_with_state(time, deadline::deadline))
    };
    let pages = pages.layer(middleware::from_fn_with_state(
        state.clone(),
        same_origin::same_origin,
    ));
    Router::new()
        .merge(limits(api, config.max_body, config.request_timeout))
        .merge(limits(
            agent,
            AGENT_BODY_LIMIT.max(config.max_body),
            AGENT_TIME_LIMIT.max(config.request_timeout),
        ))
        .merge(limits(pages, config.max_body, config.request_timeout))
        .fallback(not_found)
        .layer(middleware::from_fn(headers::security_headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            observe::count_requests,
        ))
        .with_state(state)
}

/// Unknown API paths get a JSON 404, anything else the 404 page.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        error::ApiError::not_found("route").into_response()
    } else {
        pages::message(StatusCode::NOT_FOUND, "Not found", "There is no page here.")
    }
}
