//! CSRF defence for the HTML forms (login, checkout) by double submit: the form carries a random
//! token in a hidden `csrf` field and the browser carries the same token in the `shop_csrf`
//! cookie. Another site can make a browser post a form but can neither read nor set this
//! cookie, so it cannot make the two agree.
//!
//! The JSON API is defended differently: it only accepts `application/json` bodies, which a
//! cross-site form cannot send without a CORS preflight the shop never approves.

use axum::http::HeaderMap;

use crate::cookies;
use crate::token::{constant_time_eq, random_hex};

const TOKEN_BYTES: usize = 16;

/// The token a form should embed, and the `Set-Cookie` value to send when the browser does not
/// hold it yet. A token the browser already holds is reused, so two open tabs both keep working.
pub fn token_for(headers: &HeaderMap) -> (String, Option<String>) {
    match cookies::read(headers, cookies::CSRF) {
        Some(token) if well_formed(&token) => (token, None),
        _ => {
            let token = random_hex(TOKEN_BYTES);
            let set_cookie = cookies::set(cookies::CSRF, &token);
            (token, Some(set_cookie))
        }
    }
}

/// Whether the submitted form token matches the browser's cookie.
pub fn verify(headers: &HeaderMap, submitted: &str) -> bool {
    match cookies::read(headers, cookies::CSRF) {
        Some(token) => well_formed(&token) && constant_time_eq(&token, submitted),
        None => false,
    }
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_BYTES * 2 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE;

    fn with_cookie(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let cookie = format!("shop_csrf={token}");
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&cookie).expect("valid header"),
        );
        headers
    }

    #[test]
    fn issues_a_token_once_and_then_reuses_it() {
        let (token, set_cookie) = token_for(&HeaderMap::new());
        assert!(set_cookie.is_some_and(|c| c.contains(&token)));
        let (again, set_cookie) = token_for(&with_cookie(&token));
        assert_eq!(again, token);
        assert!(set_cookie.is_none());
    }

    #[test]
    fn verifies_only_a_matching_pair() {
        let token = random_hex(TOKEN_BYTES);
        assert!(verify(&with_cookie(&token), &token));
        assert!(!verify(&with_cookie(&token), &random_hex(TOKEN_BYTES)));
        assert!(!verify(&HeaderMap::new(), &token));
        assert!(!verify(&with_cookie(""), ""));
    }
}
