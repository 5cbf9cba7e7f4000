//! The time limit of a request: past it the handler is dropped and the client gets a JSON
//! error (the store's writes are transactions, so nothing is left half done).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

pub async fn deadline(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    // A reference count, not a copy: the path is only written out on a timeout.
    let uri = request.uri().clone();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(route = uri.path(), ?limit, "request timed out");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the server did not answer within {}; try again",
                    humantime::format_duration(limit)
                ),
            )
            .into_response()
        }
    }
}
