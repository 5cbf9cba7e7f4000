//! The token a request presents — the bearer header, or the pages' log-in cookie — and who it
//! is: [`authenticate`] answers a [`Principal`] or why the request is [`Denied`].

use axum::http::{HeaderMap, header};
use cookie::{Cookie, SameSite};

use super::{Principal, Refused, Scope, Tokens};

/// The cookie the pages' log-in sets: the token, hex-encoded (any token fits a cookie).
pub const COOKIE: &str = "gate_token";

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No token, not one of ours, or one that expired or was revoked.
    Unauthenticated(Refused),
    /// A valid token (named) whose scopes do not include the one needed.
    Forbidden { name: String, needed: Scope },
}

/// The token a request presents: the bearer header, else (if `cookie` is allowed) the pages'
/// cookie.
pub fn presented_token(headers: &HeaderMap, cookie: bool) -> Option<String> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let auth = auth.to_str().ok()?;
        return auth
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
    }
    if !cookie {
        return None;
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .and_then(|c| hex::decode(c.value()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|t| !t.is_empty())
}

fn base(value: String) -> cookie::CookieBuilder<'static> {
    Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
}

/// The `Set-Cookie` value that logs a browser in with `token`.
pub fn login_cookie(token: &str, secure: bool) -> String {
    base(hex::encode(token)).secure(secure).build().to_string()
}

/// The `Set-Cookie` value that logs a browser out.
pub fn logout_cookie() -> String {
    base(String::new())
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// Checks the request's token against `needed`.
pub fn authenticate(
    tokens: &Tokens,
    headers: &HeaderMap,
    cookie: bool,
    needed: Scope,
) -> Result<Principal, Denied> {
    let token =
        presented_token(headers, cookie).ok_or(Denied::Unauthenticated(Refused::Unknown))?;
    let principal = tokens
        .authenticate(&token)
        .map_err(Denied::Unauthenticated)?;
    if principal.allows(needed) {
        Ok(principal)
    } else {
        Err(Denied::Forbidden {
            name: principal.name,
            needed,
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_cookie_round_trips_among_others() {
        let set = login_cookie("tok en;=", true);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Secure"),
            "{set}"
        );
        let pair = set.split(';').next().unwrap_or_default();
        let mut headers = HeaderMap::new();
        let value = format!("theme=dark; {pair}; other=1");
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("")),
        );
        assert_eq!(presented_token(&headers, true).as_deref(), Some("tok en;="));
        assert_eq!(presented_token(&headers, false), None);
        assert!(logout_cookie().contains("Max-Age=0"), "{}", logout_cookie());
    }
}
