//! The API's one error type: a status and a message safe to show (plus the request field it is
//! about), rendered as `{"error": …, "field": …}`. Internal details go to the log, not the
//! client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gate_wire::ErrorBody;

use crate::service::ServiceError;
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
        }
    }

    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "a valid bearer token is required")
    }

    /// A lost lease, with what the runner should do about it.
    pub fn lease_lost(consequence: &str) -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            format!("this lease is no longer yours; {consequence}"),
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        ServiceError::from(err).into()
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> ApiError {
        match err {
            ServiceError::NotFound(what) => ApiError::not_found(what),
            ServiceError::Invalid { field, message } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message,
                field,
            },
            ServiceError::LeaseLost => ApiError::lease_lost("stop the job"),
            ServiceError::Refused(message) => ApiError::new(StatusCode::CONFLICT, message),
            ServiceError::Forbidden(message) => ApiError::new(StatusCode::FORBIDDEN, message),
            ServiceError::Unreachable(message) => ApiError::new(StatusCode::BAD_GATEWAY, message),
            ServiceError::Unavailable(err) if err.is_disk_full() => {
                tracing::error!("store error: the database's disk is full: {err}");
                ApiError::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "the gate database's disk is full: nothing was stored; free space where the \
                     database lives, then try again",
                )
            }
            ServiceError::Unavailable(err) => {
                // The detail may name tables or the database host: log it, show a generic one.
                tracing::error!("store error: {err}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the gate database is unavailable; try again",
                )
            }
            ServiceError::Internal(detail) => {
                tracing::error!("{detail}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the server cannot do this now; its log says why",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(ErrorBody {
                error: self.message,
                field: self.field,
            }),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
