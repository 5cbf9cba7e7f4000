//! `/api/v1/runs…`: submit, read, list, cancel, re-run failures, and each run's JUnit XML,
//! HTML report and artifacts. Handlers translate; the use cases are the service's.

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use gate_wire::{RunList, RunState, SubmitRun};
use serde::Deserialize;

use super::error::ApiError;
use super::extract::StrictJson;
use crate::auth::Principal;
use crate::service::{RunQuery, Submission, Submitted};
use crate::state::AppState;
use crate::views;

/// A submission as the service takes it.
pub fn submission(body: SubmitRun) -> Submission {
    Submission {
        commit: body.commit,
        branch: body.branch,
        pr: body.pr,
        committed_at: body.committed_at,
        base_url: body.base_url,
        tags: body.tags,
        rerun: body.rerun,
        synthetic: false,
    }
}

/// 201 with a new run, 200 with one that existed.
pub fn submitted(state: &AppState, submitted: &Submitted) -> Response {
    let status = if submitted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let view = views::run_view(&state.config().public_url, &submitted.run, &submitted.jobs);
    (status, Json(view)).into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    StrictJson(body): StrictJson<SubmitRun>,
) -> Result<Response, ApiError> {
    let run = state.service.submit(submission(body)).await?;
    Ok(submitted(&state, &run))
}

/// `?commit=&branch=&state=&before=&limit=`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub state: Option<RunState>,
    pub before: Option<String>,
    pub limit: Option<u32>,
}

impl ListQuery {
    pub fn into_query(self) -> RunQuery {
        RunQuery {
            commit: self.commit,
            branch: self.branch,
            state: self.state.map(views::from_wire_state),
            before: self.before,
            limit: self.limit,
        }
    }
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

pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<RunList>, ApiError> {
    let query: ListQuery = decode_query(query.as_deref())?;
    let page = state.service.runs(query.into_query()).await?;
    let base = &state.config().public_url;
    Ok(Json(RunList {
        runs: page
            .runs
            .iter()
            .map(|(run, jobs)| views::run_view(base, run, jobs))
            .collect(),
        next: page.next,
    }))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<gate_wire::RunView>, ApiError> {
    let (run, jobs) = state.service.run(&id).await?;
    Ok(Json(views::run_view(
        &state.config().public_url,
        &run,
        &jobs,
    )))
}

pub async fn cancel(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<gate_wire::RunView>, ApiError> {
    let run = state.service.cancel(&id, &who).await?;
    get(State(state), Path(run.id)).await
}

pub async fn rerun_failed(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let run = state.service.rerun_failed(&id).await?;
    Ok(submitted(&state, &run))
}

pub async fn junit(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (run, jobs) = state.service.run(&id).await?;
    let xml =
        gate_runner::report::junit::to_string(&views::run_result(&run, &jobs)).map_err(|err| {
            tracing::error!(run = %id, "cannot render the JUnit report: {err}");
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

/// The runner's reports have no scripts and no forms; this keeps it that way on the gate's
/// origin.
const REPORT_POLICY: &str = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
                             form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (run, jobs) = state.service.run(&id).await?;
    let html = gate_runner::report::html::render_index(&views::run_result(&run, &jobs));
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
    let bytes = state.service.artifact(&id, &path).await?;
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
