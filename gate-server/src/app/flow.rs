//! `/api/v1/flow`: the release flow with its figures and risks; recording that a person
//! performed a manual stage. Handlers translate; the use cases are the service's.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gate_wire as wire;

use super::error::ApiError;
use super::extract::StrictJson;
use crate::auth::Principal;
use crate::state::AppState;
use crate::views::flow::{flow_view, performed_view};

pub async fn get(State(state): State<AppState>) -> Result<Json<wire::Flow>, ApiError> {
    let report = state.service.flow().await?;
    Ok(Json(flow_view(&report)))
}

/// 201 with the recorded performance.
pub async fn done(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(stage): Path<String>,
    StrictJson(body): StrictJson<wire::StageDone>,
) -> Result<Response, ApiError> {
    let recorded = state.service.record_stage_done(&stage, body, &who).await?;
    Ok((StatusCode::CREATED, Json(performed_view(&recorded))).into_response())
}
