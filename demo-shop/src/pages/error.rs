//! The one error type of the HTML surface. Each kind is shown as a friendly page (or, for a
//! missing login, a redirect to the login page). Pages show no internal detail; whoever raises
//! [`PageErrorKind::Internal`] logs why first.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{Chrome, respond};
use crate::visitor::{SignedIn, Visitor};

/// A page request that cannot be answered as asked.
#[derive(Debug)]
pub struct PageError {
    chrome: Chrome,
    kind: PageErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageErrorKind {
    /// The page needs a session; the visitor is sent to log in and then back to `next`.
    LoginRequired {
        next: String,
    },
    NotFound,
    /// A form body that could not be read at all.
    BadRequest,
    Internal,
}

impl PageError {
    pub fn new(chrome: &Chrome, kind: PageErrorKind) -> Self {
        Self {
            chrome: chrome.clone(),
            kind,
        }
    }

    pub fn not_found(chrome: &Chrome) -> Self {
        Self::new(chrome, PageErrorKind::NotFound)
    }
}

/// The visitor's session, or a redirect to the login page that comes back here.
pub fn signed_in<'v>(visitor: &'v Visitor, chrome: &Chrome) -> Result<&'v SignedIn, PageError> {
    visitor.session.as_ref().ok_or_else(|| {
        PageError::new(
            chrome,
            PageErrorKind::LoginRequired {
                next: visitor.path.clone(),
            },
        )
    })
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, heading, text) = match self.kind {
            PageErrorKind::LoginRequired { next } => {
                return Redirect::to(&format!("/login?next={}", encode_query_value(&next)))
                    .into_response();
            }
            PageErrorKind::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "Page not found",
                "We looked everywhere but could not find that page.",
            ),
            PageErrorKind::BadRequest => (
                StatusCode::BAD_REQUEST,
                "Bad request",
                "That did not work",
                "Your browser sent something the shop could not understand. Please try again.",
            ),
            PageErrorKind::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong",
                "Sorry, the shop could not finish that. Please try again in a moment.",
            ),
        };
        let main = html! {
            section.error-page {
                h1 { (heading) }
                p { (text) }
                p { a href="/products" { "Back to the products" } }
            }
        };
        respond(status, Vec::new(), self.chrome.page(title, main))
    }
}

/// Percent-encodes everything but unreserved characters and `/`, so a path survives as a query
/// value.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_paths_for_the_next_parameter() {
        assert_eq!(encode_query_value("/orders/1001"), "/orders/1001");
        assert_eq!(encode_query_value("/a b&c"), "/a%20b%26c");
    }
}
