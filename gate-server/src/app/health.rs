//! Operations: liveness, readiness (store reachable, pool up), Prometheus metrics.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::extract::require;
use crate::auth::Scope;
use crate::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(err) = state.store.ping().await {
        tracing::warn!("not ready: {err}");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "ready": false, "reason": "the database is unreachable" })),
        )
            .into_response();
    }
    if !state.pool_ready.load(Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "ready": false, "reason": "the browser pool is starting" })),
        )
            .into_response();
    }
    Json(serde_json::json!({ "ready": true })).into_response()
}

pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require(&state, &headers, Scope::Read)?;
    let stats = state.store.queue_stats().await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(stats),
    )
        .into_response())
}
