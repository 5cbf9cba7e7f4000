//! `/api/v1/digests…`: the weekly digest's outbox, a preview, and sending it now. Handlers
//! translate; the use cases are the service's.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gate_wire as wire;
use serde::Deserialize;

use super::error::ApiError;
use super::runs::decode_query;
use crate::state::AppState;
use crate::views::digests::digest_view;
use crate::views::rfc3339;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DigestQuery {
    limit: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<wire::DigestList>, ApiError> {
    let q: DigestQuery = decode_query(query.as_deref())?;
    let limit = q.limit.unwrap_or(50);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit",
            "limit must be between 1 and 1000",
        ));
    }
    let digests = state.service.digests(limit).await?;
    Ok(Json(wire::DigestList {
        digests: digests.iter().map(digest_view).collect(),
    }))
}

/// 201 with one queued row per configured channel; 409 when no channel is configured.
pub async fn send(State(state): State<AppState>) -> Result<Response, ApiError> {
    let sent = state.service.send_digest_now().await?;
    let body = wire::DigestSent {
        digests: sent.digests.iter().map(digest_view).collect(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn preview(State(state): State<AppState>) -> Result<Json<wire::DigestPreview>, ApiError> {
    let (since, until, content) = state.service.digest_preview().await?;
    let channels = state
        .config()
        .digest
        .as_ref()
        .map(|d| d.channels().iter().map(|c| c.to_string()).collect())
        .unwrap_or_default();
    Ok(Json(wire::DigestPreview {
        period_since: rfc3339(since),
        period_until: rfc3339(until),
        subject: content.subject,
        text: content.text,
        html: content.html,
        channels,
    }))
}
