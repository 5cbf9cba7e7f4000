//! `POST /api/accounts`: signing up through the API, validated exactly like the sign-up form.
//! Like the form, a new account is signed in at once: the answer sets the session cookie, so a
//! client can go on to fill a cart. An address that already has an account is a 409.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::ApiError;
use super::json::JsonBody;
use super::wire::AccountBody;
use crate::accounts::SignUpError;
use crate::cookies;
use crate::shop::SharedShop;
use crate::visitor::Visitor;

/// Missing fields are treated as empty so they are reported like the form reports them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewAccount {
    email: String,
    password: String,
}

pub async fn create(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    JsonBody(new): JsonBody<NewAccount>,
) -> Result<Response, ApiError> {
    let mut store = shop.store();
    let account = store
        .accounts_mut()
        .sign_up(&new.email, &new.password)
        .map_err(|err| match err {
            SignUpError::EmailTaken => {
                ApiError::Conflict("a user with that email address already exists".to_owned())
            }
            SignUpError::Invalid(problems) => ApiError::invalid_input(problems),
        })?;
    let replacing = visitor.session.as_ref().map(|s| s.token.as_str());
    let token = store.sign_in(&account.email, replacing);
    Ok((
        StatusCode::CREATED,
        [(SET_COOKIE, cookies::set(cookies::SESSION, &token))],
        Json(AccountBody {
            email: account.email,
            customer_number: account.customer_number,
        }),
    )
        .into_response())
}
