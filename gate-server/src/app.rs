//! The HTTP application: every route in one place, with body limits, timeouts and request
//! metrics. Handlers live in the submodules, grouped by what they serve.

mod agent;
mod commits;
pub mod error;
pub mod extract;
mod github;
mod health;
mod runs;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;

use crate::pages;
use crate::state::AppState;

/// Agent results carry screenshots: they may be larger than other requests.
const AGENT_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    let limit = state.config.max_body;
    let agent = Router::new()
        .route("/api/v1/agent/lease", post(agent::lease))
        .route("/api/v1/agent/jobs/{id}/heartbeat", post(agent::heartbeat))
        .route("/api/v1/agent/jobs/{id}/result", post(agent::result))
        .route("/api/v1/agent/jobs/{id}/release", post(agent::release))
        .layer(DefaultBodyLimit::max(AGENT_BODY_LIMIT));
    let api = Router::new()
        .route("/api/v1/runs", post(runs::submit).get(runs::list))
        .route("/api/v1/runs/{id}", get(runs::get))
        .route("/api/v1/runs/{id}/cancel", post(runs::cancel))
        .route("/api/v1/runs/{id}/rerun-failed", post(runs::rerun_failed))
        .route("/api/v1/runs/{id}/junit.xml", get(runs::junit))
        .route("/api/v1/runs/{id}/report/", get(runs::report))
        .route(
            "/api/v1/runs/{id}/report/artifacts/{*path}",
            get(runs::artifact),
        )
        .route("/api/v1/commits/{sha}/status", get(commits::status))
        .route("/api/v1/webhooks/github", post(github::github))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .layer(DefaultBodyLimit::max(limit));
    let web = Router::new()
        .route("/", get(|| async { Redirect::to("/runs") }))
        .route("/runs", get(pages::runs))
        .route("/runs/{id}", get(pages::run))
        .route("/commits/{sha}", get(pages::commit))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout));
    Router::new()
        .merge(agent)
        .merge(api)
        .merge(web)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state
                .config
                .request_timeout
                .max(std::time::Duration::from_secs(40)),
        ))
        .with_state(state)
}

async fn openapi() -> Response {
    match serde_json::to_string_pretty(&crate::openapi::document()) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(_) => error::ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "cannot render the document",
        )
        .into_response(),
    }
}

async fn not_found(headers: HeaderMap) -> Response {
    let _ = headers;
    error::ApiError::not_found("route").into_response()
}

async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    state
        .metrics
        .http_request(&method, &route, response.status().as_u16());
    response
}
