//! `GET /products/{id}`: one product with an add-to-cart button. The button talks to the JSON
//! API from script (`product.js`) and updates the header's cart count without a page load, so
//! scenarios must wait for the result. With [`Fault::LateElement`] the button is not in the HTML
//! at all; the script inserts it after [`ShopConfig::late`](crate::ShopConfig::late).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{PreEscaped, html};

use super::error::PageError;
use super::layout::{Chrome, respond};
use crate::catalog;
use crate::config::Fault;
use crate::shop::SharedShop;
use crate::visitor::Visitor;

const SCRIPT: &str = include_str!("product.js");

pub async fn show(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    let product = id
        .parse()
        .ok()
        .and_then(catalog::product)
        .ok_or_else(|| PageError::not_found(&chrome))?;
    let late_ms = shop
        .config
        .has(Fault::LateElement)
        .then(|| shop.config.late.as_millis().to_string());
    let main = html! {
        article #product .product-detail
            data-product-id=(product.id)
            data-product-name=(product.name)
            data-late-ms=[late_ms.as_deref()]
        {
            p.breadcrumb { a href="/products" { "← All products" } }
            h1 { (product.name) }
            p.price { (product.price) }
            div.buy {
                label for="qty" { "Quantity" }
                input #qty name="qty" type="number" value="1" min="1" max="99";
                @if late_ms.is_some() {
                    span #add-to-cart-slot {}
                } @else {
                    button #add-to-cart .button type="button" data-testid="add-to-cart" {
                        "Add to cart"
                    }
                }
            }
            p #cart-status role="status" {}
        }
        script { (PreEscaped(SCRIPT)) }
    };
    Ok(respond(
        StatusCode::OK,
        Vec::new(),
        chrome.page(product.name, main),
    ))
}
