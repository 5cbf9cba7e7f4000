//! `GET /account`: the signed-in user's welcome and order history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::error::{PageError, signed_in};
use super::layout::{Chrome, respond};
use crate::shop::SharedShop;
use crate::store::Order;
use crate::visitor::Visitor;

pub async fn show(State(shop): State<SharedShop>, visitor: Visitor) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    let user = signed_in(&visitor, &chrome)?;
    let orders: Vec<Order> = shop.store().orders_of(&user.username).cloned().collect();
    let main = html! {
        h1 { "Welcome, " (user.username) }
        h2 { "Your orders" }
        @if orders.is_empty() {
            p #no-orders { "You have not placed any orders yet. " a href="/products" { "Start shopping" } "." }
        } @else {
            ul #orders .order-list {
                @for order in &orders {
                    li.order data-testid={ "order-" (order.id) } {
                        a href={ "/orders/" (order.id) } { "Order #" (order.id) }
                        " — "
                        span.total { (order.total()) }
                    }
                }
            }
        }
    };
    Ok(respond(
        StatusCode::OK,
        Vec::new(),
        chrome.page("Your account", main),
    ))
}
