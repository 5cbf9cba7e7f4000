//! `GET /account`: the signed-in user's welcome, customer number (for customers who signed up)
//! and order history.

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
    let store = shop.store();
    let orders: Vec<Order> = store.orders_of(&user.username).cloned().collect();
    let customer_number = store
        .accounts()
        .get(&user.username)
        .map(|a| a.customer_number);
    drop(store);
    let main = html! {
        h1 { "Welcome, " (user.username) }
        @if let Some(number) = customer_number {
            p #customer-number {
                "Customer number " span data-testid="customer-number" { (number) }
            }
        }
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
