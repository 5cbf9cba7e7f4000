//! `GET /products`: the catalogue. The [`Fault::SlowProducts`] fault delays it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::layout::{Chrome, respond};
use crate::catalog::PRODUCTS;
use crate::config::Fault;
use crate::shop::SharedShop;
use crate::visitor::Visitor;

pub async fn list(State(shop): State<SharedShop>, visitor: Visitor) -> Response {
    if shop.config.has(Fault::SlowProducts) {
        tokio::time::sleep(shop.config.slow).await;
    }
    let chrome = Chrome::new(&shop, &visitor);
    let main = html! {
        h1 { "Products" }
        ul #products .product-grid {
            @for product in &PRODUCTS {
                li.product data-testid={ "product-" (product.id) } {
                    a href={ "/products/" (product.id) } { (product.name) }
                    " "
                    span.price { (product.price) }
                }
            }
        }
    };
    respond(StatusCode::OK, Vec::new(), chrome.page("Products", main))
}
