//! `GET /api/v1/review`: the seven-gate review of this server's pipeline, as data and rendered
//! as text and Markdown (what `gate review` prints). The use case is the service's.

use axum::Json;
use axum::extract::State;

use super::error::ApiError;
use crate::review::{Review, markdown, text};
use crate::state::AppState;

#[derive(Debug, serde::Serialize)]
pub struct ReviewAnswer {
    pub review: Review,
    pub text: String,
    pub markdown: String,
}

pub async fn get(State(state): State<AppState>) -> Result<Json<ReviewAnswer>, ApiError> {
    let review = state.service.review().await?;
    Ok(Json(ReviewAnswer {
        text: text(&review),
        markdown: markdown(&review),
        review,
    }))
}
