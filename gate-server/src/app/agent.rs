//! The agent API: lease jobs (long poll), heartbeats, results with artifacts, hand-backs.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;

use super::error::ApiError;
use super::extract::StrictJson;
use crate::executor::lease_of;
use crate::state::AppState;
use crate::store::Completion;
use crate::verdict;
use crate::wire::{Heartbeat, JobResult, LeaseGrant, LeaseRequest};

/// Longest a lease request waits for work (seconds).
pub(super) const MAX_WAIT_SECS: u64 = 30;
const MAX_WAIT: Duration = Duration::from_secs(MAX_WAIT_SECS);
/// Re-check the queue this often while waiting: expired leases and other servers' work
/// notify no one.
const RECHECK: Duration = Duration::from_secs(1);

pub async fn lease(
    State(state): State<AppState>,
    StrictJson(req): StrictJson<LeaseRequest>,
) -> Result<Json<LeaseGrant>, ApiError> {
    if req.capacity == 0 || req.capacity > 256 {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "capacity",
            "capacity must be between 1 and 256",
        ));
    }
    let name_ok = !req.agent.trim().is_empty()
        && req.agent.len() <= 100
        && !req.agent.chars().any(char::is_control);
    if !name_ok {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "agent",
            "agent must be a name of 1 to 100 printable characters",
        ));
    }
    let owner = format!("agent:{}", req.agent.trim());
    let deadline = tokio::time::Instant::now() + Duration::from_millis(req.wait_ms).min(MAX_WAIT);
    loop {
        let notified = state.work.notified();
        let (jobs, finished) = state
            .store
            .lease_and_expire(
                &owner,
                req.capacity,
                state.config.lease,
                state.config.max_leases,
            )
            .await?;
        for run in &finished {
            verdict::run_finished(&state, run).await;
        }
        if !jobs.is_empty() || tokio::time::Instant::now() >= deadline {
            let lease_for = state.config.lease;
            return Ok(Json(LeaseGrant {
                leases: jobs.into_iter().map(|j| lease_of(j, lease_for)).collect(),
            }));
        }
        // Woken by a submission, or re-checked every second.
        let tick = (tokio::time::Instant::now() + RECHECK).min(deadline);
        let _waiting = state.metrics.agent_waiting();
        let _ = tokio::time::timeout_at(tick, notified).await;
    }
}

pub async fn heartbeat(
    State(state): State<AppState>,
    Path(job): Path<String>,
    StrictJson(body): StrictJson<Heartbeat>,
) -> Result<StatusCode, ApiError> {
    if state
        .store
        .heartbeat(&job, &body.token, state.config.lease)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            "this lease is no longer yours; stop the job",
        ))
    }
}

pub async fn result(
    State(state): State<AppState>,
    Path(job): Path<String>,
    StrictJson(body): StrictJson<JobResult>,
) -> Result<StatusCode, ApiError> {
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
                StatusCode::BAD_REQUEST,
                &format!("artifacts[{i}].path"),
                "artifact paths are relative and stay inside the run",
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&a.content_base64)
            .map_err(|_| {
                ApiError::field(
                    StatusCode::BAD_REQUEST,
                    &format!("artifacts[{i}].content_base64"),
                    "not valid base64",
                )
            })?;
        artifacts.push((a.path.clone(), bytes));
    }
    match state
        .store
        .complete(&job, &body.token, &body.result, &artifacts)
        .await?
    {
        Completion::Recorded { run_finished } => {
            state.metrics.scenario_finished(
                body.result.outcome.as_str(),
                body.result.duration_ms as f64 / 1000.0,
            );
            if let Some(run) = run_finished {
                verdict::run_finished(&state, &run).await;
            }
            Ok(StatusCode::NO_CONTENT)
        }
        Completion::LeaseLost => Err(ApiError::new(
            StatusCode::CONFLICT,
            "this lease is no longer yours; the result was not recorded",
        )),
    }
}

pub async fn release(
    State(state): State<AppState>,
    Path(job): Path<String>,
    StrictJson(body): StrictJson<Heartbeat>,
) -> Result<StatusCode, ApiError> {
    state.store.release(&job, &body.token).await?;
    state.work.notify_waiters();
    Ok(StatusCode::NO_CONTENT)
}
