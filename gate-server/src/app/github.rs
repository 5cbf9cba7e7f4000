//! `POST /api/v1/webhooks/github`: signed deliveries start runs. The signature is checked over
//! the raw body before anything is parsed; a bad or missing one is 401 and nothing is queued.
//! A delivery id seen before is answered without queuing anything again.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::extract::RawBody;
use super::runs::submitted;
use crate::service::Submission;
use crate::state::AppState;
use crate::webhook::{WebhookAction, parse_event, staging_url, verify_signature};

/// GitHub sends deliveries of up to 25 MB (a push of many commits).
pub const MAX_DELIVERY: usize = 25 * 1024 * 1024;

fn ignored(status: StatusCode, reason: &str) -> Response {
    (status, Json(serde_json::json!({ "ignored": reason }))).into_response()
}

pub async fn github(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let Some(secret) = &state.webhook_secret else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "webhooks are not configured on this server",
        ));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(err) = verify_signature(secret, &body, header("x-hub-signature-256")) {
        tracing::warn!("webhook refused: {err}");
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, err.to_string()));
    }
    let event = header("x-github-event").unwrap_or_default();
    let action = parse_event(event, &body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let run = match action {
        WebhookAction::Ignore(reason) => return Ok(ignored(StatusCode::ACCEPTED, &reason)),
        WebhookAction::Submit(run) => run,
    };
    let template = state
        .config()
        .webhook
        .as_ref()
        .and_then(|w| w.base_url.as_deref());
    // The template's URL when the delivery has every value it names (a push has no PR number);
    // else the default, when one is configured.
    let default = state.config().default_base_url.clone();
    let base_url = match template {
        Some(template) => match staging_url(template, &run).or(default) {
            Some(url) => url,
            None => {
                return Ok(ignored(
                    StatusCode::ACCEPTED,
                    &format!(
                        "no staging URL for this commit: the webhook base-url `{template}` needs a \
                         value this delivery lacks; set default-base-url to test such commits"
                    ),
                ));
            }
        },
        // None at all is refused by the service with its own message.
        None => default.unwrap_or_default(),
    };
    let submission = Submission {
        commit: run.commit,
        branch: run.branch,
        pr: run.pr,
        committed_at: run.committed_at,
        base_url,
        tags: Vec::new(),
        rerun: false,
        synthetic: false,
    };
    match state
        .service
        .submit_delivery(header("x-github-delivery"), submission)
        .await?
    {
        Some(run) => Ok(submitted(&state, &run)),
        None => Ok(ignored(StatusCode::OK, "redelivery")),
    }
}
