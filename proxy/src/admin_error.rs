//! The admin API's errors and what a client sees of them: a status and an [`ApiError`] body.
//! The detail of a failed save is logged where it happens; the client gets a safe sentence.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{HeaderValue, WWW_AUTHENTICATE};

use crate::api::ApiError;

#[derive(Debug)]
pub enum AdminError {
    Unauthorized,
    NotFound,
    /// The body is not JSON at all.
    Malformed(String),
    /// JSON, but not an acceptable value: `field` says which.
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The change was valid but could not be saved, so it was not applied.
    Unsaved,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, error, field) = match self {
            AdminError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "missing or wrong admin token: send Authorization: Bearer <token>".to_string(),
                None,
            ),
            AdminError::NotFound => (StatusCode::NOT_FOUND, "no such admin route".into(), None),
            AdminError::Malformed(message) => (StatusCode::BAD_REQUEST, message, None),
            AdminError::Invalid { field, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, message, field)
            }
            AdminError::Unsaved => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the change could not be saved to the state file, so it was not applied (see the proxy's log)".into(),
                None,
            ),
        };
        let mut response = (status, Json(ApiError { error, field })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
