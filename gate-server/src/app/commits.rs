//! `GET /api/v1/commits/{sha}/status`: one verdict per commit, like a combined commit status.
//! Who read it is noted (at most once a minute per token) for the seven-gate review.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use gate_wire::CommitStatus;

use super::error::ApiError;
use crate::auth::Principal;
use crate::state::AppState;
use crate::views;

pub async fn status(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(sha): Path<String>,
) -> Result<Json<CommitStatus>, ApiError> {
    // The merge check's reads (also of commits not gated yet) are the review's evidence that
    // statuses are wired up.
    state.service.status_read(&who.name).await;
    let verdict = state.service.verdict(&sha).await?;
    Ok(Json(views::commit_status(
        &state.config().public_url,
        &verdict,
    )))
}
