//! The admin API (HTTP JSON, axum): read the state and the metrics, replace the routing table,
//! arm and disarm the watchdog. Built in one place ([`app`]); every route sits behind the
//! token middleware. Handlers parse and check input, then call the routing; they hold no
//! state of their own.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router, middleware};
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::admin_error::AdminError;
use crate::api::{self, HEARTBEAT_PATH, METRICS_PATH, ROUTES_PATH, STATE_PATH};
use crate::auth;
use crate::metrics;
use crate::routing::{ChangeError, Routing};
use crate::watchdog::{MAX_TIMEOUT, MIN_TIMEOUT};

pub fn app(routing: Arc<Routing>, token: Arc<str>) -> Router {
    Router::new()
        .route(STATE_PATH, get(state))
        .route(ROUTES_PATH, put(replace_routes))
        .route(HEARTBEAT_PATH, post(heartbeat).delete(disarm))
        .route(METRICS_PATH, get(prometheus))
        .fallback(|| async { AdminError::NotFound })
        .layer(middleware::from_fn_with_state(token, auth::require_token))
        .with_state(routing)
}

async fn state(State(routing): State<Arc<Routing>>) -> Json<api::State> {
    Json(routing.state().await)
}

async fn prometheus(State(routing): State<Arc<Routing>>) -> Response {
    let text = metrics::render(&routing.state().await);
    ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response()
}

async fn replace_routes(
    State(routing): State<Arc<Routing>>,
    body: Bytes,
) -> Result<Json<api::State>, AdminError> {
    let routes: api::Routes = parse(&body)?;
    match routing.replace(&routes).await {
        Ok(state) => Ok(Json(state)),
        Err(ChangeError::Invalid(e)) => Err(AdminError::Invalid {
            field: Some(e.field),
            message: e.message,
        }),
        Err(ChangeError::Save(e)) => {
            tracing::error!("PUT {ROUTES_PATH}: {e}");
            Err(AdminError::Unsaved)
        }
    }
}

async fn heartbeat(
    State(routing): State<Arc<Routing>>,
    body: Bytes,
) -> Result<Json<api::Watchdog>, AdminError> {
    let beat: api::Heartbeat = parse(&body)?;
    let timeout = Duration::from_millis(beat.timeout_ms);
    if !(MIN_TIMEOUT..=MAX_TIMEOUT).contains(&timeout) {
        return Err(AdminError::Invalid {
            field: Some("timeout_ms".into()),
            message: format!(
                "{} is not a timeout from {} to {} ms",
                beat.timeout_ms,
                MIN_TIMEOUT.as_millis(),
                MAX_TIMEOUT.as_millis()
            ),
        });
    }
    Ok(Json(routing.heartbeat(timeout).await))
}

async fn disarm(State(routing): State<Arc<Routing>>) -> Json<api::Watchdog> {
    Json(routing.disarm().await)
}

/// A request body, with the path of the offending field on a type error (`versions[0].weight`).
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return AdminError::Malformed(format!("the body is not JSON: {inner}"));
        }
        let message = inner.to_string();
        // serde reports a missing field at its parent: name the field itself.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (path.as_str(), missing) {
            (".", Some(name)) => Some(name.to_string()),
            (parent, Some(name)) => Some(format!("{parent}.{name}")),
            (".", None) => None,
            (_, None) => Some(path),
        };
        AdminError::Invalid { field, message }
    })
}
