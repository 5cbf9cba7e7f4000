//! `GET /api/me`: who the session cookie belongs to.

use axum::Json;
use axum::extract::State;

use super::user::ApiUser;
use super::wire::MeBody;
use crate::shop::SharedShop;

pub async fn show(State(shop): State<SharedShop>, ApiUser(user): ApiUser) -> Json<MeBody> {
    let customer_number = shop
        .store()
        .accounts()
        .get(&user.username)
        .map(|a| a.customer_number);
    Json(MeBody {
        username: user.username,
        customer_number,
    })
}
