//! Who may call a route. Every route declares an [`Access`] in the route table of
//! [`crate::app`]; [`guard`] enforces it before the handler runs (and before its body is read),
//! so no handler can forget to check, and the OpenAPI document and the scope tests read the
//! same declaration.
//!
//! This module decides; it does not render pages or know about runs.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;

use super::error::ApiError;
use crate::auth::{Principal, Scope, Tokens};
use crate::state::AppState;

/// The cookie the pages' log-in sets: the token, hex-encoded (any token fits a cookie).
pub const COOKIE: &str = "gate_token";

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

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token, or not one of ours.
    Unauthenticated,
    /// A valid token whose scopes do not include this one.
    Forbidden(Scope),
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> ApiError {
        match denied {
            Denied::Unauthenticated => ApiError::unauthorized(),
            Denied::Forbidden(scope) => ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "this token may not do that (needs the `{}` scope)",
                    scope_name(scope)
                ),
            ),
        }
    }
}

pub fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Read => "read",
        Scope::Submit => "submit",
        Scope::Agent => "agent",
        Scope::Deploy => "deploy",
        Scope::Admin => "admin",
    }
}

/// The token a request presents: the bearer header, else (if `cookie` is allowed) the pages'
/// cookie.
pub fn presented_token(headers: &HeaderMap, cookie: bool) -> Option<String> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let auth = auth.to_str().ok()?;
        return auth
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
    }
    if !cookie {
        return None;
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(COOKIE)
                .and_then(|rest| rest.strip_prefix('='))
                .and_then(|value| hex::decode(value).ok())
                .and_then(|bytes| String::from_utf8(bytes).ok())
        })
        .filter(|t| !t.is_empty())
}

/// The `Set-Cookie` value that logs a browser in with `token`.
pub fn login_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{secure}",
        hex::encode(token)
    )
}

/// The `Set-Cookie` value that logs a browser out.
pub fn logout_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// Checks the request's token against `needed`.
pub fn authenticate(
    tokens: &Tokens,
    headers: &HeaderMap,
    cookie: bool,
    needed: Scope,
) -> Result<Principal, Denied> {
    let token = presented_token(headers, cookie).ok_or(Denied::Unauthenticated)?;
    let principal = tokens.authenticate(&token).ok_or(Denied::Unauthenticated)?;
    if principal.allows(needed) {
        Ok(principal)
    } else {
        Err(Denied::Forbidden(needed))
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
        Err(denied) if page => crate::pages::denied(denied, request.method(), request.uri()),
        Err(denied) => ApiError::from(denied).into_response(),
    }
}
