//! Request extraction: strict JSON bodies whose errors name the offending field, and the
//! bearer token (or the pages' `gate_token` cookie) checked against a scope.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::auth::{Principal, Scope};
use crate::state::AppState;

/// A JSON body, decoded strictly (unknown fields, wrong types and missing fields are 400s that
/// name the field).
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for StrictJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the request body is too large",
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "could not read the request body")
            }
        })?;
        decode(&bytes).map(StrictJson)
    }
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("the body is not valid JSON: {inner}")
        } else {
            inner.to_string()
        };
        let field = match inner.classify() {
            serde_json::error::Category::Data if path != "." => Some(path),
            _ => None,
        };
        match field {
            // `missing field` errors point at the parent; name the field itself.
            Some(f) => ApiError::field(StatusCode::BAD_REQUEST, &f, message),
            None => match message.split('`').nth(1).filter(|_| {
                message.starts_with("missing field") || message.starts_with("unknown field")
            }) {
                Some(f) => ApiError::field(StatusCode::BAD_REQUEST, f, message.clone()),
                None => ApiError::new(StatusCode::BAD_REQUEST, message),
            },
        }
    })?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    Ok(value)
}

/// The bearer token of a request, or the `gate_token` cookie (web pages).
pub fn presented_token(headers: &HeaderMap) -> Option<String> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return auth.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("gate_token=").map(str::to_string))
}

/// Checks the request's token: 401 without a valid one, 403 when its scopes do not allow
/// `needed`.
pub fn require(
    state: &AppState,
    headers: &HeaderMap,
    needed: Scope,
) -> Result<Principal, ApiError> {
    let token = presented_token(headers).ok_or_else(ApiError::unauthorized)?;
    let principal = state
        .tokens
        .authenticate(&token)
        .ok_or_else(ApiError::unauthorized)?;
    if !principal.allows(needed) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "this token may not do that (needs the `{}` scope)",
                scope_name(needed)
            ),
        ));
    }
    Ok(principal)
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Read => "read",
        Scope::Submit => "submit",
        Scope::Agent => "agent",
        Scope::Deploy => "deploy",
        Scope::Admin => "admin",
    }
}
