//! `GET /cart`: the cart page. The server sends only the frame; `cart.js` fetches `/api/cart`
//! and draws the items, so scenarios must wait for `#cart-items` or `#cart-empty` to appear.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{PreEscaped, html};

use super::error::{PageError, signed_in};
use super::layout::{Chrome, respond};
use crate::shop::SharedShop;
use crate::visitor::Visitor;

const SCRIPT: &str = include_str!("cart.js");

pub async fn show(State(shop): State<SharedShop>, visitor: Visitor) -> Result<Response, PageError> {
    let chrome = Chrome::new(&shop, &visitor);
    signed_in(&visitor, &chrome)?;
    let main = html! {
        h1 { "Your cart" }
        div #cart aria-live="polite" {
            p #cart-loading { "Loading your cart…" }
        }
        script { (PreEscaped(SCRIPT)) }
    };
    Ok(respond(
        StatusCode::OK,
        Vec::new(),
        chrome.page("Cart", main),
    ))
}
