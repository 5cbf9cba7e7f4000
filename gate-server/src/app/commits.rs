//! `GET /api/v1/commits/{sha}/status`: one verdict per commit, like a combined commit status.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;

use super::error::ApiError;
use super::extract::require;
use crate::auth::Scope;
use crate::state::AppState;
use crate::verdict;
use crate::wire::CommitStatus;

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Result<Json<CommitStatus>, ApiError> {
    require(&state, &headers, Scope::Read)?;
    let sha = sha.to_ascii_lowercase();
    verdict::commit_status(&state, &sha)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("commit"))
}
