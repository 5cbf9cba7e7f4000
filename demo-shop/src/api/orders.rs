//! `GET /api/orders`, `POST /api/orders` and `GET /api/orders/{id}`: the signed-in user's
//! orders. Placing one validates exactly like the checkout form; calling the API counts as
//! accepting the terms. [`Fault::Checkout500`] makes placing fail, and `fail_rate` a share of
//! placings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::error::ApiError;
use super::json::JsonBody;
use super::user::ApiUser;
use super::wire::OrderBody;
use crate::checkout::{CheckoutInput, validate};
#[cfg(doc)]
use crate::config::Fault;
use crate::shop::SharedShop;
use crate::store::PlaceOrderError;

/// Missing fields are treated as empty so they are reported like the form reports them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewOrder {
    name: String,
    address: String,
    city: String,
    country: String,
    card: String,
}

pub async fn list(State(shop): State<SharedShop>, ApiUser(user): ApiUser) -> Json<Vec<OrderBody>> {
    let store = shop.store();
    Json(
        store
            .orders_of(&user.username)
            .map(OrderBody::from)
            .collect(),
    )
}

pub async fn create(
    State(shop): State<SharedShop>,
    ApiUser(user): ApiUser,
    JsonBody(order): JsonBody<NewOrder>,
) -> Result<(StatusCode, Json<OrderBody>), ApiError> {
    let input = CheckoutInput {
        name: order.name,
        address: order.address,
        city: order.city,
        country: order.country,
        card: order.card,
        terms_accepted: true,
    };
    let valid = validate(&input).map_err(ApiError::invalid_input)?;
    let cart_empty = shop
        .store()
        .session(&user.token)
        .is_none_or(|session| session.cart.is_empty());
    if cart_empty {
        return Err(ApiError::unprocessable("cart is empty"));
    }
    if shop.fails_order() {
        tracing::warn!("failing the order on purpose (checkout-500 or fail-rate)");
        return Err(ApiError::Internal);
    }
    let placed = shop.store().place_order(&user.token, valid);
    match placed {
        Ok(order) => Ok((StatusCode::CREATED, Json(OrderBody::from(&order)))),
        Err(PlaceOrderError::EmptyCart) => Err(ApiError::unprocessable("cart is empty")),
        Err(PlaceOrderError::NoSession) => Err(ApiError::Unauthorized),
    }
}

pub async fn show(
    State(shop): State<SharedShop>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<OrderBody>, ApiError> {
    let store = shop.store();
    id.parse()
        .ok()
        .and_then(|id| store.order_of(&user.username, id))
        .map(|order| Json(OrderBody::from(order)))
        .ok_or(ApiError::NotFound("order"))
}
