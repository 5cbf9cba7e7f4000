//! The session's cart: `GET /api/cart`, `POST /api/cart/items`, `DELETE /api/cart/items/{id}`
//! and `DELETE /api/cart`.
//!
//! Adding waits [`ADD_DELAY`] before answering, like a real shop's inventory check. That makes
//! the product page's update truly asynchronous, so a scenario that does not wait for it fails.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::error::ApiError;
use super::json::JsonBody;
use super::user::ApiUser;
use super::wire::CartBody;
use crate::catalog;
use crate::shop::SharedShop;
use crate::store::{AddError, Cart, MAX_QUANTITY};

/// How long adding to the cart takes.
pub const ADD_DELAY: Duration = Duration::from_millis(150);

#[derive(Debug, Deserialize)]
pub struct AddItem {
    product_id: u32,
    quantity: i64,
}

pub async fn show(
    State(shop): State<SharedShop>,
    ApiUser(user): ApiUser,
) -> Result<Json<CartBody>, ApiError> {
    with_cart(&shop, &user.token, |_| Ok(())).map(Json)
}

pub async fn add_item(
    State(shop): State<SharedShop>,
    user: Result<ApiUser, ApiError>,
    body: Result<JsonBody<AddItem>, ApiError>,
) -> Result<(StatusCode, Json<CartBody>), ApiError> {
    // Every answer is slow, refusals included, as they would be behind a real inventory check.
    tokio::time::sleep(ADD_DELAY).await;
    let ApiUser(user) = user?;
    let JsonBody(item) = body?;
    let product = catalog::product(item.product_id)
        .ok_or_else(|| ApiError::unprocessable(format!("unknown product {}", item.product_id)))?;
    let quantity = u32::try_from(item.quantity)
        .ok()
        .filter(|q| (1..=MAX_QUANTITY).contains(q))
        .ok_or_else(|| {
            ApiError::unprocessable(format!("quantity must be between 1 and {MAX_QUANTITY}"))
        })?;
    let cart = with_cart(&shop, &user.token, |cart| {
        cart.add(*product, quantity)
            .map_err(|AddError::BadQuantity| {
                ApiError::unprocessable(format!(
                    "a cart holds at most {MAX_QUANTITY} of one product"
                ))
            })
    })?;
    Ok((StatusCode::CREATED, Json(cart)))
}

pub async fn remove_item(
    State(shop): State<SharedShop>,
    ApiUser(user): ApiUser,
    Path(product_id): Path<String>,
) -> Result<Json<CartBody>, ApiError> {
    let product_id: u32 = product_id
        .parse()
        .map_err(|_| ApiError::NotFound("product"))?;
    with_cart(&shop, &user.token, |cart| {
        cart.remove(product_id);
        Ok(())
    })
    .map(Json)
}

pub async fn clear(
    State(shop): State<SharedShop>,
    ApiUser(user): ApiUser,
) -> Result<StatusCode, ApiError> {
    with_cart(&shop, &user.token, |cart| {
        cart.clear();
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Applies `change` to the session's cart and returns the cart as it is afterwards. The session
/// may have ended since the request was authenticated (logout-all), which is a 401 too.
fn with_cart(
    shop: &SharedShop,
    token: &str,
    change: impl FnOnce(&mut Cart) -> Result<(), ApiError>,
) -> Result<CartBody, ApiError> {
    let mut store = shop.store();
    let session = store.session_mut(token).ok_or(ApiError::Unauthorized)?;
    change(&mut session.cart)?;
    Ok(CartBody::from(&session.cart))
}
