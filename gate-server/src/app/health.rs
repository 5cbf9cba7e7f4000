//! Operations: liveness, readiness (store reachable, pool up) and Prometheus metrics.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::state::AppState;

/// The process is up: always 200.
pub async fn healthz() -> &'static str {
    "ok"
}

fn not_ready(reason: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(serde_json::json!({ "ready": false, "reason": reason })),
    )
        .into_response()
}

/// Ready for traffic: the database answers and the browser pool is up (or there is none).
pub async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(err) = state.service.ping().await {
        tracing::warn!("not ready: {err}");
        return not_ready("the database is unreachable");
    }
    if !state.pool_ready.load(Ordering::SeqCst) {
        return not_ready("the browser pool is starting");
    }
    Json(serde_json::json!({ "ready": true })).into_response()
}

/// Prometheus text format; the queue gauges are read from the store now.
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let stats = state.service.queue_stats().await?;
    state
        .metrics
        .digests_pending(state.service.pending_digests().await?);
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(stats),
    )
        .into_response())
}
