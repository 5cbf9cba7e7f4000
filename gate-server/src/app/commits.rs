//! `GET /api/v1/commits/{sha}/status`: one verdict per commit, like a combined commit status.

use axum::Json;
use axum::extract::{Path, State};
use gate_wire::CommitStatus;

use super::error::ApiError;
use crate::state::AppState;
use crate::views;

pub async fn status(
    State(state): State<AppState>,
    Path(sha): Path<String>,
) -> Result<Json<CommitStatus>, ApiError> {
    let verdict = state.service.verdict(&sha).await?;
    Ok(Json(views::commit_status(
        &state.config().public_url,
        &verdict,
    )))
}
