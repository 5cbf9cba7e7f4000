//! `GET /orders/{id}`: the confirmation page of one of the signed-in user's orders. Other
//! users' orders are reported as not found, not as forbidden, so ids reveal nothing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::error::{PageError, signed_in};
use super::layout::{Chrome, respond};
use crate::shop::SharedShop;
use crate::visitor::Visitor;

pub async fn show(
    State(shop): State<SharedShop>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    let user = signed_in(&visitor, &chrome)?;
    let order = id
        .parse()
        .ok()
        .and_then(|id| shop.store().order_of(&user.username, id).cloned())
        .ok_or_else(|| PageError::not_found(&chrome))?;
    let main = html! {
        section.card {
            h1 { "Thank you for your order" }
            p #order-id .order-id { "Order #" (order.id) }
            table #order-items .lines {
                thead { tr { th { "Product" } th { "Quantity" } th { "Total" } } }
                tbody {
                    @for line in &order.lines {
                        tr.order-item {
                            td.name { (line.product.name) }
                            td.qty { (line.quantity) }
                            td.line-total { (line.total()) }
                        }
                    }
                }
            }
            p #order-total .total { "Total: " (order.total()) }
            h2 { "Shipping to" }
            address #shipping-address {
                (order.shipping.name) br;
                (order.shipping.address) br;
                (order.shipping.city) br;
                (order.shipping.country_name())
            }
            p #payment { "Paid with the card ending in " (order.card_last4) "." }
            p { a href="/products" { "Continue shopping" } " · " a href="/account" { "Your orders" } }
        }
    };
    let title = format!("Order #{}", order.id);
    Ok(respond(
        StatusCode::OK,
        Vec::new(),
        chrome.page(&title, main),
    ))
}
