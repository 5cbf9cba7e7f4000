//! `/api/v1/runs…`: submit, read, list, cancel, re-run failures, and each run's JUnit XML and
//! HTML report.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::{StrictJson, require};
use crate::auth::Scope;
use crate::state::AppState;
use crate::store::{NewRun, RunFilter};
use crate::suite::{self, SuiteError};
use crate::verdict;
use crate::wire::{RunList, RunState, RunView, SubmitRun};

/// Checks a submission, snapshots the suite, and creates (or finds) the run.
pub async fn submit_run(
    state: &AppState,
    mut body: SubmitRun,
) -> Result<(RunView, bool), ApiError> {
    body.commit = body.commit.trim().to_ascii_lowercase();
    let hex = body.commit.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex || !(body.commit.len() == 40 || body.commit.len() == 64) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "commit",
            "a commit is a full SHA: 40 (or 64) hex digits",
        ));
    }
    if body.base_url.trim().is_empty() {
        body.base_url = state.config.default_base_url.clone().unwrap_or_default();
    }
    let url_ok = reqwest::Url::parse(&body.base_url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !url_ok {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "base_url",
            "base_url must be an http(s) URL of the deployed build",
        ));
    }
    if body.tags.iter().any(|t| t.trim().is_empty()) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "tags",
            "tags must not be empty strings",
        ));
    }
    if let Some(at) = &body.committed_at {
        if time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_err()
        {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "committed_at",
                "committed_at must be an RFC 3339 time",
            ));
        }
    }
    let paths = state.config.scenarios.clone();
    let tags = body.tags.clone();
    let snapshot = tokio::task::spawn_blocking(move || suite::load(&paths, &tags))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reading the scenarios failed",
            )
        })?
        .map_err(|e| match e {
            SuiteError::NothingSelected(_) => {
                ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "tags", e.to_string())
            }
            SuiteError::Invalid(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            SuiteError::Read(_) => {
                tracing::error!("{e}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server cannot read its scenario files",
                )
            }
        })?;
    let new = NewRun {
        commit: body.commit,
        branch: body.branch,
        pr: body.pr,
        committed_at: body.committed_at,
        base_url: body.base_url,
        tags: body.tags,
        suite: snapshot.id,
        sources: snapshot.sources,
        scenarios: snapshot.selected,
        rerun: body.rerun,
    };
    let (run, created) = state.store.submit(new).await?;
    if created {
        state.work.notify_waiters();
        verdict::publish_status(state, &run.commit).await;
    }
    let jobs = state.store.jobs(&run.id).await?;
    Ok((verdict::run_view(&state.config, &run, &jobs), created))
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    StrictJson(body): StrictJson<SubmitRun>,
) -> Result<Response, ApiError> {
    require(&state, &headers, Scope::Submit)?;
    let (view, created) = submit_run(&state, body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    commit: Option<String>,
    branch: Option<String>,
    state: Option<RunState>,
    before: Option<String>,
    limit: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<RunList>, ApiError> {
    require(&state, &headers, Scope::Read)?;
    let Query(q) = query.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("bad query: {}", e.body_text()),
        )
    })?;
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let filter = RunFilter {
        commit: q.commit,
        branch: q.branch,
        state: q.state,
        before: q.before,
        limit: limit + 1,
    };
    let mut runs = state.store.runs(&filter).await?;
    let more = runs.len() > limit as usize;
    runs.truncate(limit as usize);
    let mut views = Vec::new();
    for run in &runs {
        let jobs = state.store.jobs(&run.id).await?;
        views.push(verdict::run_view(&state.config, run, &jobs));
    }
    let next = if more {
        runs.last().map(|r| r.id.clone())
    } else {
        None
    };
    Ok(Json(RunList { runs: views, next }))
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    require(&state, &headers, Scope::Read)?;
    let run = state
        .store
        .run(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    let jobs = state.store.jobs(&id).await?;
    Ok(Json(verdict::run_view(&state.config, &run, &jobs)))
}

pub async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    let who = require(&state, &headers, Scope::Submit)?;
    let run = state
        .store
        .cancel_run(&id, &format!("cancelled by {}", who.name))
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    let jobs = state.store.jobs(&id).await?;
    verdict::publish_status(&state, &run.commit).await;
    Ok(Json(verdict::run_view(&state.config, &run, &jobs)))
}

pub async fn rerun_failed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&state, &headers, Scope::Submit)?;
    let run = state
        .store
        .rerun_failed(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    let created = run.id != id;
    if created {
        state.work.notify_waiters();
    }
    let jobs = state.store.jobs(&run.id).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(verdict::run_view(&state.config, &run, &jobs))).into_response())
}

pub async fn junit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&state, &headers, Scope::Read)?;
    let run = state
        .store
        .run(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    let jobs = state.store.jobs(&id).await?;
    let xml =
        gate_runner::report::junit::to_string(&verdict::run_result(&run, &jobs)).map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot render the JUnit report",
            )
        })?;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&state, &headers, Scope::Read)?;
    let run = state
        .store
        .run(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    let jobs = state.store.jobs(&id).await?;
    let html = gate_runner::report::html::render_index(&verdict::run_result(&run, &jobs));
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

pub async fn artifact(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    require(&state, &headers, Scope::Read)?;
    let bytes = state
        .store
        .artifact(&id, &path)
        .await?
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    let content_type = match path.rsplit('.').next() {
        Some("png") => "image/png",
        // Saved pages are shown as text: their scripts must not run on the gate's origin.
        Some("html") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}
