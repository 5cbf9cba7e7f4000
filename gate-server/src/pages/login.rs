//! Logging in to the pages with an API token: `GET /login` shows the form, `POST /login`
//! checks the token (it needs the `read` scope) and sets the `gate_token` cookie (HttpOnly,
//! SameSite=Strict, Path=/; Secure when the public URL is https), `POST /logout` clears it.
//!
//! A token that expired or was revoked is refused with the reason, on the log-in form.
//!
//! Ids: `#token` (the field, labelled "API token"), `#login` (button "Log in"),
//! `#login-error`; every signed-in page has `#logout` (button "Log out").

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{self, Chrome};
use crate::auth::{Refused, Scope, login_cookie, logout_cookie};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only paths on this server: no `//host` or `/\host` (browsers read both as another host).
fn local_path(next: Option<String>) -> String {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.starts_with("/\\")
            && !n.chars().any(char::is_control)
    })
    .unwrap_or_else(|| "/runs".to_string())
}

fn login_page(status: StatusCode, next: &str, error: Option<&str>) -> Response {
    layout::respond(
        status,
        layout::page("Log in", Chrome::SignedOut, None, form_view(next, error)),
    )
}

/// What the log-in form says about a token that is refused though configured.
fn refusal(refused: &Refused) -> String {
    match refused {
        Refused::Unknown => "That token is not valid here.".to_string(),
        Refused::Expired { name, at } => {
            format!("That token (`{name}`) expired at {at}: log in with a new one.")
        }
        Refused::Revoked { name } => {
            format!("That token (`{name}`) has been revoked: log in with a new one.")
        }
    }
}

/// The log-in form (401) for a browser whose cookie holds a token that expired or was
/// revoked: it says which, and drops the cookie.
pub fn refused(refused: &Refused, next: &str) -> Response {
    let mut page = login_page(StatusCode::UNAUTHORIZED, next, Some(&refusal(refused)));
    if let Ok(clear) = header::HeaderValue::from_str(&logout_cookie()) {
        page.headers_mut().append(header::SET_COOKIE, clear);
    }
    page
}

pub async fn form(query: Result<Query<Next>, QueryRejection>) -> Response {
    let next = local_path(query.ok().and_then(|Query(q)| q.next));
    login_page(StatusCode::OK, &next, None)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_page(
            StatusCode::BAD_REQUEST,
            "/runs",
            Some("Send the form from this page."),
        );
    };
    let next = local_path(form.next);
    let token = form.token.trim();
    match state.tokens.authenticate(token) {
        Ok(who) if who.allows(Scope::Read) => {
            tracing::info!(token = %who.name, "signed in to the pages");
            let secure = state.config().public_url.starts_with("https://");
            (
                [(header::SET_COOKIE, login_cookie(token, secure))],
                Redirect::to(&next),
            )
                .into_response()
        }
        Ok(_) => login_page(
            StatusCode::FORBIDDEN,
            &next,
            Some("That token may not read runs: use one with the read scope."),
        ),
        Err(refused) => {
            if let Refused::Expired { name, .. } | Refused::Revoked { name } = &refused {
                tracing::warn!(token = %name, "log-in refused: {refused}");
            }
            login_page(StatusCode::UNAUTHORIZED, &next, Some(&refusal(&refused)))
        }
    }
}

pub async fn logout() -> Response {
    (
        [(header::SET_COOKIE, logout_cookie())],
        Redirect::to("/login"),
    )
        .into_response()
}

fn form_view(next: &str, error: Option<&str>) -> Markup {
    html! {
        h1 { "Log in" }
        @if let Some(e) = error { p #login-error .fail role="alert" { (e) } }
        form .card method="post" action="/login" {
            p {
                label for="token" { "API token" }
                " "
                span .muted { "(read scope or more; it is kept in a cookie for this site only)" }
            }
            p { input #token type="password" name="token" autocomplete="off" size="70" required; }
            input type="hidden" name="next" value=(next);
            button #login type="submit" { "Log in" }
        }
    }
}
