//! The agent API: lease jobs (long poll), heartbeats, results with artifacts, hand-backs.
//! Requests are checked here; the protocol itself is the service's.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;
use gate_wire::{Heartbeat, JobResult, LeaseGrant, LeaseRequest, RESULT_VERSION};

use super::error::ApiError;
use super::extract::StrictJson;
use crate::service::ServiceError;
use crate::state::AppState;
use crate::views;

/// Longest a lease request waits for work (seconds).
pub(super) const MAX_WAIT_SECS: u64 = 30;
const MAX_WAIT: Duration = Duration::from_secs(MAX_WAIT_SECS);

pub async fn lease(
    State(state): State<AppState>,
    StrictJson(req): StrictJson<LeaseRequest>,
) -> Result<Json<LeaseGrant>, ApiError> {
    if req.capacity == 0 || req.capacity > 256 {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "capacity",
            "capacity must be between 1 and 256",
        ));
    }
    let name_ok = !req.agent.trim().is_empty()
        && req.agent.len() <= 100
        && !req.agent.chars().any(char::is_control);
    if !name_ok {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "agent",
            "agent must be a name of 1 to 100 printable characters",
        ));
    }
    let owner = format!("agent:{}", req.agent.trim());
    let wait = Duration::from_millis(req.wait_ms).min(MAX_WAIT);
    let _waiting = state.metrics.agent_waiting();
    let jobs = state.service.lease(&owner, req.capacity, wait).await?;
    let heartbeat_ms = state.service.heartbeat_ms();
    Ok(Json(LeaseGrant {
        leases: jobs
            .into_iter()
            .map(|j| views::lease(j, heartbeat_ms))
            .collect(),
    }))
}

pub async fn heartbeat(
    State(state): State<AppState>,
    Path(job): Path<String>,
    StrictJson(body): StrictJson<Heartbeat>,
) -> Result<StatusCode, ApiError> {
    state.service.heartbeat(&job, &body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The uploaded artifact files, checked: relative paths that stay inside the run.
fn artifacts(body: &JobResult) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let mut artifacts = Vec::new();
    for (i, a) in body.artifacts.iter().enumerate() {
        let inside = !a.path.is_empty()
            && !a.path.starts_with('/')
            && !a.path.contains('\\')
            && a.path
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != "..");
        if !inside {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("artifacts[{i}].path"),
                "artifact paths are relative and stay inside the run",
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&a.content_base64)
            .map_err(|_| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("artifacts[{i}].content_base64"),
                    "not valid base64",
                )
            })?;
        artifacts.push((a.path.clone(), bytes));
    }
    Ok(artifacts)
}

pub async fn result(
    State(state): State<AppState>,
    Path(job): Path<String>,
    StrictJson(body): StrictJson<JobResult>,
) -> Result<StatusCode, ApiError> {
    if body.result_version != RESULT_VERSION {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "result_version",
            format!(
                "this server reads results of version {RESULT_VERSION}, not {}: run an agent \
                 of the server's version",
                body.result_version
            ),
        ));
    }
    let files = artifacts(&body)?;
    match state
        .service
        .complete(&job, &body.token, &body.result, &files)
        .await
    {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(ServiceError::LeaseLost) => Err(ApiError::lease_lost("the result was not recorded")),
        Err(err) => Err(err.into()),
    }
}

pub async fn release(
    State(state): State<AppState>,
    Path(job): Path<String>,
    StrictJson(body): StrictJson<Heartbeat>,
) -> Result<StatusCode, ApiError> {
    state.service.release(&job, &body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}
