//! `/api/v1/deployments…`, `/api/v1/services…` and `/api/v1/audit…`: deploying through a
//! canary, moving or stopping it, rolling back, and the audit log. Handlers translate; the
//! use cases are the service's.

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use gate_deploy::Input;
use gate_traffic::TrafficRouter;
use gate_wire as wire;
use serde::Deserialize;

use super::error::ApiError;
use super::extract::StrictJson;
use super::runs::decode_query;
use crate::auth::Principal;
use crate::service::{DeployOrder, RollbackDone, RollbackTarget};
use crate::state::AppState;
use crate::store::AuditFilter;
use crate::views::deploys::{audit_entry, deployment_view, service_view, verification};

pub async fn deploy(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    StrictJson(body): StrictJson<wire::DeployRequest>,
) -> Result<Response, ApiError> {
    let order = DeployOrder {
        service: body.service,
        version: body.version,
        commit: body.commit,
        force: body.force,
        reason: body.reason,
        hotfix: body.hotfix,
        carries: body.commits,
    };
    let record = state.service.deploy(order, &who).await?;
    let view = deployment_view(&state.config().public_url, &record, &[]);
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeploymentQuery {
    service: Option<String>,
    before: Option<String>,
    limit: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<wire::DeploymentList>, ApiError> {
    let q: DeploymentQuery = decode_query(query.as_deref())?;
    let limit = q.limit.unwrap_or(20);
    if limit == 0 || limit > 100 {
        return Err(ApiError::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit",
            "limit must be between 1 and 100",
        ));
    }
    let mut records = state
        .service
        .deployments(q.service.as_deref(), q.before.as_deref(), limit + 1)
        .await?;
    let next = (records.len() > limit as usize).then(|| {
        records.truncate(limit as usize);
        records.last().map(|r| r.id.clone())
    });
    let base = &state.config().public_url;
    Ok(Json(wire::DeploymentList {
        deployments: records
            .iter()
            .map(|r| deployment_view(base, r, &[]))
            .collect(),
        next: next.flatten(),
    }))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<wire::DeploymentView>, ApiError> {
    let (record, log) = state.service.deployment(&id).await?;
    Ok(Json(deployment_view(
        &state.config().public_url,
        &record,
        &log,
    )))
}

async fn steer(
    state: &AppState,
    id: &str,
    who: &Principal,
    make: impl Fn(i64, String) -> Input,
) -> Result<Json<wire::DeploymentView>, ApiError> {
    let record = state.service.steer(id, who, make).await?;
    Ok(Json(deployment_view(
        &state.config().public_url,
        &record,
        &[],
    )))
}

pub async fn promote(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<wire::DeploymentView>, ApiError> {
    steer(&state, &id, &who, |at, actor| Input::Promote { at, actor }).await
}

pub async fn advance(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<wire::DeploymentView>, ApiError> {
    steer(&state, &id, &who, |at, actor| Input::Advance { at, actor }).await
}

pub async fn abort(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(id): Path<String>,
    StrictJson(body): StrictJson<wire::ActionRequest>,
) -> Result<Json<wire::DeploymentView>, ApiError> {
    let reason = body
        .reason
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "reason",
                "say why you abort: the reason goes into the audit log",
            )
        })?;
    steer(&state, &id, &who, move |at, actor| Input::Abort {
        at,
        actor,
        reason: reason.clone(),
    })
    .await
}

/// `14:28` today (UTC), or an RFC 3339 time, as unix ms.
fn parse_time(text: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Some((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let (h, m) = text.split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    let today = time::OffsetDateTime::now_utc().date();
    let at = today.with_hms(h, m, 0).ok()?.assume_utc();
    Some((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

pub async fn rollback(
    State(state): State<AppState>,
    Extension(who): Extension<Principal>,
    Path(service): Path<String>,
    StrictJson(body): StrictJson<wire::RollbackRequest>,
) -> Result<Json<wire::RollbackResult>, ApiError> {
    let target = match (&body.to_version, &body.to_time) {
        (Some(_), Some(_)) => {
            return Err(ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "to_time",
                "give to_version or to_time, not both",
            ));
        }
        (Some(v), None) => RollbackTarget::Version(v.clone()),
        (None, Some(t)) => RollbackTarget::At(parse_time(t).ok_or_else(|| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "to_time",
                "a time is HH:MM (today, UTC) or RFC 3339, e.g. 14:28 or 2026-12-02T14:28:00Z",
            )
        })?),
        (None, None) => RollbackTarget::Previous,
    };
    let done = state
        .service
        .rollback(&service, target, &body.reason, &who)
        .await?;
    let base = &state.config().public_url;
    Ok(Json(match done {
        RollbackDone::Canary(record) => wire::RollbackResult {
            service: service.clone(),
            from_version: record.version.clone(),
            to_version: record
                .from
                .as_ref()
                .map(|f| f.version.clone())
                .unwrap_or_default(),
            deployment: Some(deployment_view(base, &record, &[])),
        },
        RollbackDone::Serving { from, to } => wire::RollbackResult {
            service: service.clone(),
            from_version: from.version,
            to_version: to.version,
            deployment: None,
        },
    }))
}

pub async fn services(State(state): State<AppState>) -> Result<Json<wire::ServiceList>, ApiError> {
    let mut list = Vec::new();
    for config in state.service.services() {
        let serving = state.service.serving(&config.name).await?;
        let active = state
            .service
            .deployments(Some(&config.name), None, 1)
            .await?
            .into_iter()
            .find(|d| !d.phase.is_final());
        let router = state
            .service
            .routers()
            .get(&config.name)
            .map(|r| r.describe())
            .unwrap_or_default();
        list.push(service_view(
            &config.name,
            &router,
            serving.as_ref(),
            active.as_ref(),
        ));
    }
    Ok(Json(wire::ServiceList { services: list }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    since: Option<String>,
    service: Option<String>,
    deployment: Option<String>,
    after: Option<u64>,
    limit: Option<u32>,
}

pub async fn audit(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<wire::AuditList>, ApiError> {
    let q: AuditQuery = decode_query(query.as_deref())?;
    let since_ms = q
        .since
        .as_deref()
        .map(|s| {
            parse_time(s).ok_or_else(|| {
                ApiError::field(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "since",
                    "a time is HH:MM (today, UTC) or RFC 3339",
                )
            })
        })
        .transpose()?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let entries = state
        .service
        .audit(&AuditFilter {
            since_ms,
            service: q.service,
            deployment: q.deployment,
            after_seq: q.after,
            limit: Some(limit + 1),
        })
        .await?;
    let more = entries.len() > limit as usize;
    let entries: Vec<_> = entries.into_iter().take(limit as usize).collect();
    Ok(Json(wire::AuditList {
        next: more.then(|| entries.last().map(|e| e.seq)).flatten(),
        entries: entries.iter().map(audit_entry).collect(),
    }))
}

pub async fn verify(
    State(state): State<AppState>,
) -> Result<Json<wire::AuditVerification>, ApiError> {
    let (result, count) = state.service.verify_audit().await?;
    Ok(Json(verification(&result, count)))
}

pub async fn postmortem(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let text = state.service.postmortem(&id).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        text,
    )
        .into_response())
}
