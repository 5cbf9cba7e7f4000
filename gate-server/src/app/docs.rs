//! `GET /api/v1/openapi.json`: the API document (see [`crate::openapi`]).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

pub async fn openapi() -> Response {
    match serde_json::to_string_pretty(&crate::openapi::document()) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(err) => {
            tracing::error!("cannot serialise the OpenAPI document: {err}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot render the API document",
            )
            .into_response()
        }
    }
}
