//! The frame around every page: title, styles, the header (navigation, cart count, who is
//! signed in) and the footer (the shop's version). Also how a rendered page becomes a response.

use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::shop::Shop;
use crate::visitor::Visitor;

const STYLES: &str = include_str!("shop.css");

/// What the header and footer show, taken from the request at hand.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub version: String,
    pub user: Option<String>,
    pub cart_count: u32,
}

impl Chrome {
    pub fn new(shop: &Shop, visitor: &Visitor) -> Self {
        Self {
            version: shop.config.version.clone(),
            user: visitor.session.as_ref().map(|s| s.username.clone()),
            cart_count: visitor.cart_count,
        }
    }

    /// A whole page: `title` goes after the shop's name in `<title>`, `main` inside `<main>`.
    pub fn page(&self, title: &str, main: Markup) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { "Gate Demo Shop — " (title) }
                    // No favicon request: a 404 for it would be noise in every test report.
                    link rel="icon" href="data:,";
                    style { (PreEscaped(STYLES)) }
                }
                body {
                    (self.header())
                    main { (main) }
                    footer.site-footer {
                        "Gate Demo Shop · version " span #version { (self.version) }
                    }
                }
            }
        }
    }

    fn header(&self) -> Markup {
        html! {
            header.site-header {
                a.brand href="/" { "Gate Demo Shop" }
                nav aria-label="Main" {
                    a href="/products" { "Products" }
                    a href="/cart" #cart-link {
                        "Cart "
                        span #cart-count .badge data-testid="cart-count" { (self.cart_count) }
                    }
                    @if let Some(user) = &self.user {
                        span #user { (user) }
                        form.inline method="post" action="/logout" {
                            button type="submit" #logout-button .link-button { "Log out" }
                        }
                    } @else {
                        a href="/login" #login-link { "Log in" }
                    }
                }
            }
        }
    }
}

/// A rendered page as a response, with `Set-Cookie` values to send along.
pub fn respond(status: StatusCode, set_cookies: Vec<String>, page: Markup) -> Response {
    let cookies = set_cookies.into_iter().map(|value| (SET_COOKIE, value));
    (status, AppendHeaders(cookies), Html(page.into_string())).into_response()
}
