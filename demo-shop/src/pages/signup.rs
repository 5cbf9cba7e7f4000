//! Signing up: `GET /signup` and `POST /signup`. A new customer picks an e-mail address and a
//! password; the shop creates the account, signs them in and sends them to their account page.
//! Input that fails validation, or an address that already has an account, brings the form back
//! with the problem and the address kept (never the password). CSRF-protected like the login
//! form.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::error::{PageError, PageErrorKind};
use super::layout::{Chrome, respond};
use crate::accounts::{MIN_PASSWORD_LEN, SignUpError};
use crate::shop::SharedShop;
use crate::visitor::Visitor;
use crate::{cookies, csrf};

/// Where a new customer goes.
const WELCOME: &str = "/account";

/// What a second sign-up with the same address is told.
pub const EMAIL_TAKEN: &str = "A user with that email address already exists";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    csrf: String,
    email: String,
    password: String,
}

/// What the form shows besides its fields.
struct SignUpView<'a> {
    csrf: &'a str,
    email: &'a str,
    errors: &'a [String],
}

pub async fn form(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    headers: HeaderMap,
) -> Response {
    let chrome = Chrome::new(&shop, &visitor);
    let (token, set_cookie) = csrf::token_for(&headers);
    let view = SignUpView {
        csrf: &token,
        email: "",
        errors: &[],
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
    form: Result<Form<SignUpForm>, FormRejection>,
) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    let Ok(Form(form)) = form else {
        return Err(PageError::new(&chrome, PageErrorKind::BadRequest));
    };
    let again = |status, csrf: &str, set_cookies: Vec<String>, errors: &[String]| {
        let view = SignUpView {
            csrf,
            email: &form.email,
            errors,
        };
        respond(status, set_cookies, render(&chrome, &view))
    };

    if !csrf::verify(&headers, &form.csrf) {
        let (token, set_cookie) = csrf::token_for(&headers);
        let errors = ["Your session expired, please try again".to_owned()];
        return Ok(again(
            StatusCode::FORBIDDEN,
            &token,
            set_cookie.into_iter().collect(),
            &errors,
        ));
    }

    let mut store = shop.store();
    let email = match store.accounts_mut().sign_up(&form.email, &form.password) {
        Ok(account) => account.email,
        Err(SignUpError::EmailTaken) => {
            let errors = [EMAIL_TAKEN.to_owned()];
            return Ok(again(StatusCode::CONFLICT, &form.csrf, Vec::new(), &errors));
        }
        Err(SignUpError::Invalid(problems)) => {
            let errors: Vec<String> = problems.into_iter().map(|p| p.message).collect();
            return Ok(again(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form.csrf,
                Vec::new(),
                &errors,
            ));
        }
    };
    let replacing = visitor.session.as_ref().map(|s| s.token.as_str());
    let token = store.sign_in(&email, replacing);
    drop(store);
    Ok((
        [(SET_COOKIE, cookies::set(cookies::SESSION, &token))],
        Redirect::to(WELCOME),
    )
        .into_response())
}

fn render(chrome: &Chrome, view: &SignUpView<'_>) -> Markup {
    let main = html! {
        section.card.narrow {
            h1 { "Create an account" }
            @for error in view.errors {
                p.error role="alert" { (error) }
            }
            form #signup-form method="post" action="/signup" {
                input type="hidden" name="csrf" value=(view.csrf);
                div.field {
                    label for="email" { "Email" }
                    input #email name="email" type="email" autocomplete="email" value=(view.email);
                }
                div.field {
                    label for="new-password" { "Password" }
                    input #new-password name="password" type="password" autocomplete="new-password"
                        minlength=(MIN_PASSWORD_LEN);
                }
                button #signup-button .button type="submit" { "Sign up" }
            }
            p.hint { "At least " (MIN_PASSWORD_LEN) " characters for the password." }
        }
    };
    chrome.page("Sign up", main)
}
