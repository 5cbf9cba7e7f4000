//! `GET /api/products` and `GET /api/products/{id}`: the catalogue, no login needed.

use axum::Json;
use axum::extract::Path;

use super::error::ApiError;
use super::wire::ProductBody;
use crate::catalog::{self, PRODUCTS};

pub async fn list() -> Json<Vec<ProductBody>> {
    Json(PRODUCTS.iter().map(ProductBody::from).collect())
}

pub async fn show(Path(id): Path<String>) -> Result<Json<ProductBody>, ApiError> {
    id.parse()
        .ok()
        .and_then(catalog::product)
        .map(|product| Json(ProductBody::from(product)))
        .ok_or(ApiError::NotFound("product"))
}
