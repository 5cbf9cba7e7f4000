//! `/api/v1/runs…`: submit, read, list, cancel, re-run failures, and each run's JUnit XML,
//! HTML report and artifacts. The operations the webhook and the pages' forms share
//! ([`prepare_run`] and [`create_run`], [`cancel_run`], [`rerun_failed_run`]) live here too, so
//! every path behaves the same.

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::StrictJson;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::{NewRun, RunFilter, RunRecord};
use crate::suite::{self, SuiteError};
use crate::verdict;
use crate::wire::{RunList, RunState, RunView, SubmitRun};

/// Most runs one list answer holds.
pub const MAX_LIMIT: u32 = 100;

/// Whether `sha` is a full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.
pub fn is_full_sha(sha: &str) -> bool {
    (sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_submission(state: &AppState, body: &mut SubmitRun) -> Result<(), ApiError> {
    body.commit = body.commit.trim().to_ascii_lowercase();
    if !is_full_sha(&body.commit) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "commit",
            "a commit is a full SHA: 40 (or 64) hex digits",
        ));
    }
    body.base_url = body.base_url.trim().to_string();
    if body.base_url.is_empty() {
        body.base_url = state.config.default_base_url.clone().unwrap_or_default();
    }
    let url_ok = reqwest::Url::parse(&body.base_url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !url_ok {
        let hint = if body.base_url.is_empty() {
            "base_url is required (this server has no default-base-url)"
        } else {
            "base_url must be an http(s) URL of the deployed build"
        };
        return Err(ApiError::field(StatusCode::BAD_REQUEST, "base_url", hint));
    }
    if let Some(i) = body.tags.iter().position(|t| t.trim().is_empty()) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            &format!("tags[{i}]"),
            "tags must not be empty strings",
        ));
    }
    if let Some(at) = &body.committed_at {
        if time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_err()
        {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "committed_at",
                "committed_at must be an RFC 3339 time, e.g. 2026-11-27T10:00:00Z",
            ));
        }
    }
    Ok(())
}

fn suite_error(err: SuiteError) -> ApiError {
    match err {
        SuiteError::NothingSelected(_) => {
            ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "tags", err.to_string())
        }
        // The diagnostics name scenario files and lines: what the submitter needs to fix.
        SuiteError::Invalid(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, err.to_string()),
        SuiteError::Read(_) => {
            tracing::error!("cannot read the scenarios: {err}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server cannot read its scenario files",
            )
        }
    }
}

/// Checks a submission and snapshots the suite: everything that can fail on the client's
/// side, before anything is stored.
pub async fn prepare_run(state: &AppState, mut body: SubmitRun) -> Result<NewRun, ApiError> {
    check_submission(state, &mut body)?;
    let paths = state.config.scenarios.clone();
    let tags = body.tags.clone();
    let snapshot = tokio::task::spawn_blocking(move || suite::load(&paths, &tags))
        .await
        .map_err(|err| {
            tracing::error!("reading the scenarios panicked: {err}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "reading the scenarios failed",
            )
        })?
        .map_err(suite_error)?;
    Ok(NewRun {
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
    })
}

/// Creates (or finds, for the same commit and suite) the run. `true`: created.
pub async fn create_run(state: &AppState, new: NewRun) -> Result<(RunView, bool), ApiError> {
    let (run, created) = state.store.submit(new).await?;
    if created {
        runs_queued(state, &run).await;
    }
    let jobs = state.store.jobs(&run.id).await?;
    Ok((verdict::run_view(&state.config, &run, &jobs), created))
}

/// A new run is in the queue: wake the runners, tell the code host it is pending.
async fn runs_queued(state: &AppState, run: &RunRecord) {
    tracing::info!(run = %run.id, commit = %run.commit, "run queued");
    state.work.notify_waiters();
    verdict::publish_status(state, &run.commit).await;
}

/// Cancels a run. `None`: no such run.
pub async fn cancel_run(
    state: &AppState,
    id: &str,
    who: &Principal,
) -> Result<Option<RunRecord>, ApiError> {
    let Some(before) = state.store.run(id).await? else {
        return Ok(None);
    };
    let reason = format!("cancelled by {}", who.name);
    let Some(run) = state.store.cancel_run(id, &reason).await? else {
        return Ok(None);
    };
    if !before.state.is_final() && run.state.is_final() {
        verdict::run_finished(state, &run).await;
    }
    Ok(Some(run))
}

/// A new run of a run's failed scenarios (the run itself if none failed). `None`: no such run.
pub async fn rerun_failed_run(
    state: &AppState,
    id: &str,
) -> Result<Option<(RunRecord, bool)>, ApiError> {
    let Some(run) = state.store.rerun_failed(id).await? else {
        return Ok(None);
    };
    let created = run.id != id;
    if created {
        runs_queued(state, &run).await;
    }
    Ok(Some((run, created)))
}

pub async fn submit(
    State(state): State<AppState>,
    StrictJson(body): StrictJson<SubmitRun>,
) -> Result<Response, ApiError> {
    let new = prepare_run(&state, body).await?;
    let (view, created) = create_run(&state, new).await?;
    Ok((created_or_ok(created), Json(view)).into_response())
}

pub fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// `?commit=&branch=&state=&before=&limit=`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub state: Option<RunState>,
    /// A run id: only runs older than it (the previous answer's `next`).
    pub before: Option<String>,
    pub limit: Option<u32>,
}

/// Decodes a query string strictly; errors name the parameter.
pub fn decode_query<T: serde::de::DeserializeOwned>(query: Option<&str>) -> Result<T, ApiError> {
    let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|e| {
        let field = e.path().to_string();
        let message = format!("bad query parameter: {}", e.inner());
        if field == "." {
            ApiError::new(StatusCode::BAD_REQUEST, message)
        } else {
            ApiError::field(StatusCode::BAD_REQUEST, &field, message)
        }
    })
}

/// One page of runs, newest first, and the cursor of the next page.
pub async fn list_runs(
    state: &AppState,
    query: ListQuery,
) -> Result<(Vec<RunRecord>, Option<String>), ApiError> {
    let limit = query.limit.unwrap_or(20);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    if let Some(before) = &query.before {
        if state.store.run(before).await?.is_none() {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                "before",
                "before must be the id of a run (the `next` of the previous page)",
            ));
        }
    }
    let filter = RunFilter {
        commit: query.commit.map(|c| c.trim().to_ascii_lowercase()),
        branch: query.branch.filter(|b| !b.is_empty()),
        state: query.state,
        before: query.before,
        limit: limit + 1,
    };
    let mut runs = state.store.runs(&filter).await?;
    let more = runs.len() > limit as usize;
    runs.truncate(limit as usize);
    let next = more.then(|| runs.last().map(|r| r.id.clone())).flatten();
    Ok((runs, next))
}

pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<RunList>, ApiError> {
    let query: ListQuery = decode_query(query.as_deref())?;
    let (runs, next) = list_runs(&state, query).await?;
    let mut views = Vec::with_capacity(runs.len());
    for run in &runs {
        let jobs = state.store.jobs(&run.id).await?;
        views.push(verdict::run_view(&state.config, run, &jobs));
    }
    Ok(Json(RunList { runs: views, next }))
}

async fn view_of(state: &AppState, run: &RunRecord) -> Result<RunView, ApiError> {
    let jobs = state.store.jobs(&run.id).await?;
    Ok(verdict::run_view(&state.config, run, &jobs))
}

async fn find(state: &AppState, id: &str) -> Result<RunRecord, ApiError> {
    state
        .store
        .run(id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    let run = find(&state, &id).await?;
    Ok(Json(view_of(&state, &run).await?))
}

pub async fn cancel(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    let run = cancel_run(&state, &id, &who)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    Ok(Json(view_of(&state, &run).await?))
}

pub async fn rerun_failed(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (run, created) = rerun_failed_run(&state, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    Ok((created_or_ok(created), Json(view_of(&state, &run).await?)).into_response())
}

pub async fn junit(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let run = find(&state, &id).await?;
    let jobs = state.store.jobs(&id).await?;
    let xml = gate_runner::report::junit::to_string(&verdict::run_result(&run, &jobs)).map_err(
        |err| {
            tracing::error!(run = %id, "cannot render the JUnit report: {err}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot render the JUnit report",
            )
        },
    )?;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

/// The runner's reports have no scripts; this keeps it that way on the gate's origin.
const REPORT_POLICY: &str =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'";

pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let run = find(&state, &id).await?;
    let jobs = state.store.jobs(&id).await?;
    let html = gate_runner::report::html::render_index(&verdict::run_result(&run, &jobs));
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, REPORT_POLICY),
        ],
        html,
    )
        .into_response())
}

/// The content type an artifact is served with. Saved pages are shown as text: their scripts
/// must not run on the gate's origin.
pub fn artifact_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("json") => "application/json",
        Some("html" | "htm" | "txt" | "log") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn artifact(
    State(state): State<AppState>,
    Path((id, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let bytes = state
        .store
        .artifact(&id, &path)
        .await?
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    Ok((
        [
            (header::CONTENT_TYPE, artifact_type(&path)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'",
            ),
        ],
        bytes,
    )
        .into_response())
}
