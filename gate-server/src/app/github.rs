//! `POST /api/v1/webhooks/github`: signed deliveries start runs. The signature is checked over
//! the raw body before anything is parsed; a bad or missing one is 401 and nothing is queued.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::runs::submit_run;
use crate::state::AppState;
use crate::webhook::{WebhookAction, base_url_for, parse_event, verify_signature};
use crate::wire::SubmitRun;

pub async fn github(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(secret) = &state.webhook_secret else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "webhooks are not configured on this server",
        ));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    verify_signature(secret, &body, header("x-hub-signature-256"))
        .map_err(|e| ApiError::new(StatusCode::UNAUTHORIZED, e.to_string()))?;
    let event = header("x-github-event").unwrap_or_default().to_string();
    let action = parse_event(&event, &body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let run = match action {
        WebhookAction::Ignore(reason) => {
            return Ok((
                StatusCode::ACCEPTED,
                Json(serde_json::json!({ "ignored": reason })),
            )
                .into_response());
        }
        WebhookAction::Submit(run) => run,
    };
    if let Some(delivery) = header("x-github-delivery") {
        if !state.store.record_delivery(delivery).await? {
            return Ok((
                StatusCode::OK,
                Json(serde_json::json!({ "ignored": "redelivery" })),
            )
                .into_response());
        }
    }
    let base_url = match state
        .config
        .webhook
        .as_ref()
        .and_then(|w| w.base_url.as_deref())
    {
        Some(template) => base_url_for(template, &run),
        None => state.config.default_base_url.clone().unwrap_or_default(),
    };
    let submit = SubmitRun {
        commit: run.commit,
        branch: run.branch,
        pr: run.pr,
        committed_at: run.committed_at,
        base_url,
        tags: Vec::new(),
        rerun: false,
    };
    let (view, created) = submit_run(&state, submit).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}
