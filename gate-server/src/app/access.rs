//! Who may call a route. Every route declares an [`Access`] in the route table of
//! [`crate::app`]; [`guard`] enforces it before the handler runs (and before its body is read),
//! so no handler can forget to check, and the OpenAPI document and the scope tests read the
//! same declaration.
//!
//! This module decides; it does not render pages or know about runs.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use super::error::ApiError;
use crate::auth::{Denied, Refused, Scope, Tokens, authenticate};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token: health checks and the API document.
    Open,
    /// No token; the handler checks the GitHub signature over the raw body first.
    Signed,
    /// A bearer token with this scope. GET requests also take the pages' cookie, so the run
    /// page can show screenshots and link the reports; changes need the header (no CSRF).
    Token(Scope),
    /// A web page: the bearer token or the pages' cookie. Without a valid one the browser is
    /// sent to log in; with too small a scope it gets a 403 page.
    Page(Scope),
}

impl Access {
    /// The scope a token needs, if any.
    pub fn scope(self) -> Option<Scope> {
        match self {
            Access::Open | Access::Signed => None,
            Access::Token(s) | Access::Page(s) => Some(s),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> ApiError {
        match denied {
            Denied::Unauthenticated(Refused::Unknown) => ApiError::unauthorized(),
            Denied::Unauthenticated(refused) => {
                ApiError::new(StatusCode::UNAUTHORIZED, refused.to_string())
            }
            Denied::Forbidden { needed, .. } => ApiError::new(
                StatusCode::FORBIDDEN,
                format!("this token may not do that (needs the `{needed}` scope)"),
            ),
        }
    }
}

/// Says in the log who was refused what, by the token's name (the token itself is never
/// logged). An unknown token has no name; it is logged at `info`, as bots probe for them.
fn log_denial(denied: &Denied, method: &Method, path: &str) {
    match denied {
        Denied::Unauthenticated(Refused::Unknown) => {
            tracing::info!(%method, path, "refused: no valid token");
        }
        Denied::Unauthenticated(Refused::Expired { name, at }) => {
            let expired = at.to_string();
            tracing::warn!(%method, path, token = %name, expired, "refused: the token has expired");
        }
        Denied::Unauthenticated(Refused::Revoked { name }) => {
            tracing::warn!(%method, path, token = %name, "refused: the token is revoked");
        }
        Denied::Forbidden { name, needed } => {
            let needed = needed.as_str();
            tracing::info!(%method, path, token = %name, needed, "refused: the token lacks the scope");
        }
    }
}

#[derive(Clone)]
struct Guard {
    tokens: Arc<Tokens>,
    access: Access,
}

/// `handler` behind `access`. The handler finds the caller as an `Extension<Principal>`.
pub fn guarded(
    handler: MethodRouter<AppState>,
    tokens: &Arc<Tokens>,
    access: Access,
) -> MethodRouter<AppState> {
    let guard = Guard {
        tokens: tokens.clone(),
        access,
    };
    handler.route_layer(middleware::from_fn_with_state(guard, check))
}

async fn check(State(guard): State<Guard>, mut request: Request, next: Next) -> Response {
    let (needed, page) = match guard.access {
        Access::Open | Access::Signed => return next.run(request).await,
        Access::Token(scope) => (scope, false),
        Access::Page(scope) => (scope, true),
    };
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    match authenticate(&guard.tokens, request.headers(), page || safe, needed) {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(denied) => {
            log_denial(&denied, request.method(), request.uri().path());
            if page {
                crate::pages::denied(denied, request.method(), request.uri())
            } else {
                ApiError::from(denied).into_response()
            }
        }
    }
}
