//! `GET /`: the front page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

use super::layout::{Chrome, respond};
use crate::shop::SharedShop;
use crate::visitor::Visitor;

pub async fn show(State(shop): State<SharedShop>, visitor: Visitor) -> Response {
    let chrome = Chrome::new(&shop, &visitor);
    let main = html! {
        section.hero {
            h1 { "Gate Demo Shop" }
            p.lead {
                "Mugs, kettles, teapots and spoons for people who ship on Fridays. "
                "This shop exists so deploy gates have something real to test."
            }
            p { a.button #shop-now href="/products" { "Browse products" } }
        }
    };
    respond(StatusCode::OK, Vec::new(), chrome.page("Home", main))
}
