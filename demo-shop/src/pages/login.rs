//! Logging in and out: `GET /login`, `POST /login`, `POST /logout`. The built-in user `demo`
//! logs in with the configured password, customers who signed up with their e-mail address and
//! their own. The login form is protected by the double-submit CSRF token, and after logging in
//! the visitor goes back to the page that sent them here, as long as that is a path on this site.

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::{PageError, PageErrorKind};
use super::layout::{Chrome, respond};
use crate::shop::SharedShop;
use crate::token::constant_time_eq;
use crate::visitor::Visitor;
use crate::{cookies, csrf};

/// The built-in user.
pub const USERNAME: &str = "demo";

/// Where a fresh login goes when it was not sent from anywhere.
const DEFAULT_NEXT: &str = "/account";

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    csrf: String,
    username: String,
    password: String,
    next: String,
}

/// What the login form shows besides its fields.
struct LoginView<'a> {
    csrf: &'a str,
    next: Option<&'a str>,
    username: &'a str,
    error: Option<&'a str>,
}

pub async fn form(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    headers: HeaderMap,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    let chrome = Chrome::new(&shop, &visitor);
    let next = query.ok().and_then(|Query(q)| q.next);
    let (token, set_cookie) = csrf::token_for(&headers);
    let view = LoginView {
        csrf: &token,
        next: next.as_deref().and_then(safe_next),
        username: "",
        error: None,
    };
    respond(
        StatusCode::OK,
        set_cookie.into_iter().collect(),
        render(&chrome, &view),
    )
}

pub async fn submit(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    let Ok(Form(form)) = form else {
        return Err(PageError::new(&chrome, PageErrorKind::BadRequest));
    };
    let next = safe_next(&form.next);

    if !csrf::verify(&headers, &form.csrf) {
        let (token, set_cookie) = csrf::token_for(&headers);
        let view = LoginView {
            csrf: &token,
            next,
            username: &form.username,
            error: Some("Your session expired, please try again"),
        };
        return Ok(respond(
            StatusCode::FORBIDDEN,
            set_cookie.into_iter().collect(),
            render(&chrome, &view),
        ));
    }

    let demo = form.username == USERNAME && constant_time_eq(&form.password, &shop.config.password);
    let username = if demo {
        Some(USERNAME.to_owned())
    } else {
        let store = shop.store();
        let account = store
            .accounts()
            .authenticate(&form.username, &form.password);
        account.map(|a| a.email.clone())
    };
    let Some(username) = username else {
        let view = LoginView {
            csrf: &form.csrf,
            next,
            username: &form.username,
            error: Some("Invalid username or password"),
        };
        return Ok(respond(
            StatusCode::UNAUTHORIZED,
            Vec::new(),
            render(&chrome, &view),
        ));
    };

    let replacing = visitor.session.as_ref().map(|s| s.token.as_str());
    let token = shop.store().sign_in(&username, replacing);
    let target = next.unwrap_or(DEFAULT_NEXT);
    Ok((
        [(SET_COOKIE, cookies::set(cookies::SESSION, &token))],
        Redirect::to(target),
    )
        .into_response())
}

/// Ends the session. Not CSRF-checked: the session cookie is SameSite=Lax, so another site's
/// form cannot post here with it.
pub async fn logout(State(shop): State<SharedShop>, visitor: Visitor) -> Response {
    if let Some(session) = &visitor.session {
        shop.store().sign_out(&session.token);
    }
    (
        [(SET_COOKIE, cookies::expire(cookies::SESSION))],
        Redirect::to("/"),
    )
        .into_response()
}

/// `next` if it is a path on this site. `//host` and `/\host` are rejected because browsers
/// read both as another host.
fn safe_next(next: &str) -> Option<&str> {
    let on_this_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    on_this_site.then_some(next)
}

fn render(chrome: &Chrome, view: &LoginView<'_>) -> Markup {
    let main = html! {
        section.card.narrow {
            h1 { "Log in" }
            @if let Some(error) = view.error {
                p.error role="alert" { (error) }
            }
            form #login-form method="post" action="/login" {
                input type="hidden" name="csrf" value=(view.csrf);
                @if let Some(next) = view.next {
                    input type="hidden" name="next" value=(next);
                }
                div.field {
                    label for="username" { "Username" }
                    input #username name="username" autocomplete="username" value=(view.username);
                }
                div.field {
                    label for="password" { "Password" }
                    input #password name="password" type="password" autocomplete="current-password";
                }
                button #login-button .button type="submit" { "Log in" }
            }
            p.hint { "The demo account is " strong { "demo" } "." }
            p.hint { "New here? " a href="/signup" #signup-link { "Create an account" } "." }
        }
    };
    chrome.page("Log in", main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next("/cart"), Some("/cart"));
        assert_eq!(safe_next("/orders/1001?x=1"), Some("/orders/1001?x=1"));
        for bad in [
            "",
            "cart",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
