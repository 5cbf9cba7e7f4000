//! `POST /api/admin/logout-all`: ends every session at once, so tests can simulate a login that
//! expired while a scenario was running. A demo shop's convenience; a real shop would not have it.

use axum::extract::State;
use axum::http::StatusCode;

use crate::shop::SharedShop;

pub async fn logout_all(State(shop): State<SharedShop>) -> StatusCode {
    shop.store().sign_out_everyone();
    tracing::info!("ended every session");
    StatusCode::NO_CONTENT
}
