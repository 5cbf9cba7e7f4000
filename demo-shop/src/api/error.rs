//! The one error type of the JSON surface. Clients see a short, safe message; anything worth
//! investigating is logged by whoever raises the error, before raising it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::checkout::Problem;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No valid session cookie.
    Unauthorized,
    /// What was not found, e.g. `"product"`.
    NotFound(&'static str),
    /// A mutation without `content-type: application/json`.
    UnsupportedMediaType,
    /// A body that is not JSON at all.
    BadRequest(String),
    /// The request clashes with what exists, e.g. an account with that address.
    Conflict(String),
    /// Well-formed JSON asking for something the shop refuses; `problems` names fields when the
    /// refusal is about them.
    Unprocessable {
        message: String,
        problems: Vec<Problem>,
    },
    Internal,
}

impl ApiError {
    pub fn unprocessable(message: impl Into<String>) -> Self {
        ApiError::Unprocessable {
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// Failed validation (a checkout, a sign-up): every problem, joined into the message and
    /// listed by field.
    pub fn invalid_input(problems: Vec<Problem>) -> Self {
        let message = problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::Unprocessable { message, problems }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<ProblemBody>,
}

#[derive(Serialize)]
struct ProblemBody {
    field: &'static str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, problems) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "not logged in".to_owned(),
                Vec::new(),
            ),
            ApiError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                format!("{what} not found"),
                Vec::new(),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a body with content-type application/json".to_owned(),
                Vec::new(),
            ),
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, message, Vec::new()),
            ApiError::Conflict(message) => (StatusCode::CONFLICT, message, Vec::new()),
            ApiError::Unprocessable { message, problems } => {
                (StatusCode::UNPROCESSABLE_ENTITY, message, problems)
            }
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error".to_owned(),
                Vec::new(),
            ),
        };
        let problems = problems
            .into_iter()
            .map(|p| ProblemBody {
                field: p.field,
                message: p.message,
            })
            .collect();
        (status, Json(ErrorBody { error, problems })).into_response()
    }
}
