//! `GET /api/health`: liveness plus the version this instance claims to be.

use axum::Json;
use axum::extract::State;

use super::wire::HealthBody;
use crate::shop::SharedShop;

pub async fn show(State(shop): State<SharedShop>) -> Json<HealthBody> {
    Json(HealthBody {
        status: "ok",
        version: shop.config.version.clone(),
    })
}
