//! `/api/v1/history`, `/api/v1/deployments/external`, `/api/v1/incidents`: recording history
//! from outside gate; `/api/v1/report`: the DORA report of a period. Handlers translate; the
//! use cases are the service's.

use axum::Json;
use axum::extract::{Extension, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gate_dora::Period;
use gate_wire as wire;
use serde::Deserialize;

use super::error::ApiError;
use super::extract::StrictJson;
use super::runs::decode_query;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::now_ms;

async fn record(
    state: &AppState,
    who: &Principal,
    batch: wire::HistoryImport,
) -> Result<Response, ApiError> {
    let recorded = state.service.record_history(batch, who).await?;
    Ok((StatusCode::CREATED, Json(recorded)).into_response())
}

pub async fn import(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    StrictJson(body): StrictJson<wire::HistoryImport>,
) -> Result<Response, ApiError> {
    record(&state, &who, body).await
}

pub async fn external_deployment(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    StrictJson(body): StrictJson<wire::ExternalDeployment>,
) -> Result<Response, ApiError> {
    let batch = wire::HistoryImport {
        deployments: vec![body],
        incidents: Vec::new(),
    };
    record(&state, &who, batch).await
}

pub async fn incident(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    StrictJson(body): StrictJson<wire::Incident>,
) -> Result<Response, ApiError> {
    let batch = wire::HistoryImport {
        deployments: Vec::new(),
        incidents: vec![body],
    };
    record(&state, &who, batch).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// `last` (the last full week, the default) or `current` (this week so far).
    week: Option<String>,
    /// RFC 3339; with `until`. Without both: the last full week.
    since: Option<String>,
    until: Option<String>,
    service: Option<String>,
}

fn time(field: &str, text: &str) -> Result<i64, ApiError> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                field,
                "an RFC 3339 time, e.g. 2026-11-30T00:00:00Z",
            )
        })
}

pub async fn report(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let q: ReportQuery = decode_query(query.as_deref())?;
    let settings = state.service.metrics_settings();
    let tz = &settings.time_zone;
    let period = match (&q.since, &q.until) {
        (None, None) => match q.week.as_deref() {
            None | Some("last") => Period::last_full_week(now_ms(), tz),
            Some("current") => Period::this_week(now_ms(), tz),
            Some(_) => {
                return Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "week",
                    "`last` (the last full week) or `current` (this week so far)",
                ));
            }
        },
        _ if q.week.is_some() => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "week",
                "give either week or since and until",
            ));
        }
        (Some(since), Some(until)) => {
            let (since, until) = (time("since", since)?, time("until", until)?);
            if since >= until {
                return Err(ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "until",
                    "until must be after since",
                ));
            }
            Period::between_in(since, until, tz)
        }
        (Some(_), None) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "until",
                "give since and until together",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "since",
                "give since and until together",
            ));
        }
    };
    let answer = state
        .service
        .report_answer(&period, q.service.as_deref())
        .await?;
    Ok(Json(answer).into_response())
}
