//! Who is asking: the session behind the request's `shop_session` cookie, if it is still valid,
//! and what the page header shows for them. Both surfaces start here; what a missing session
//! means (a redirect to the login page, or a 401 body) is theirs to decide.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::cookies;
use crate::shop::SharedShop;

/// The sender of a request.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// Present while the browser holds a session the shop still knows.
    pub session: Option<SignedIn>,
    /// Total quantity in the session's cart; 0 when signed out.
    pub cart_count: u32,
    /// The path the request was for, where the login page sends the visitor back to.
    pub path: String,
}

/// A valid session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub username: String,
}

impl FromRequestParts<SharedShop> for Visitor {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, shop: &SharedShop) -> Result<Self, Infallible> {
        let token = cookies::read(&parts.headers, cookies::SESSION);
        let store = shop.store();
        let known = token.and_then(|token| {
            let session = store.session(&token)?;
            Some((
                SignedIn {
                    username: session.username.clone(),
                    token,
                },
                session.cart.total_quantity(),
            ))
        });
        drop(store);
        let (session, cart_count) = match known {
            Some((signed_in, count)) => (Some(signed_in), count),
            None => (None, 0),
        };
        Ok(Visitor {
            session,
            cart_count,
            path: parts.uri.path().to_owned(),
        })
    }
}
