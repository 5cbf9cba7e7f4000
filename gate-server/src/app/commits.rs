//! `GET /api/v1/commits/{sha}/status`: one verdict per commit, like a combined commit status.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::error::ApiError;
use super::runs::is_full_sha;
use crate::state::AppState;
use crate::verdict;
use crate::wire::CommitStatus;

pub async fn status(
    State(state): State<AppState>,
    Path(sha): Path<String>,
) -> Result<Json<CommitStatus>, ApiError> {
    let sha = sha.to_ascii_lowercase();
    if !is_full_sha(&sha) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "sha",
            "a commit is a full SHA: 40 (or 64) hex digits",
        ));
    }
    verdict::commit_status(&state, &sha)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("commit"))
}
