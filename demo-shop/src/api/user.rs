//! [`ApiUser`]: the session an API call must come with, or a 401.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::shop::SharedShop;
use crate::visitor::{SignedIn, Visitor};

/// The signed-in caller of an API endpoint.
#[derive(Debug, Clone)]
pub struct ApiUser(pub SignedIn);

impl FromRequestParts<SharedShop> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shop: &SharedShop) -> Result<Self, ApiError> {
        let Ok(visitor) = Visitor::from_request_parts(parts, shop).await;
        visitor.session.map(ApiUser).ok_or(ApiError::Unauthorized)
    }
}
