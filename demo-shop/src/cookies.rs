//! Reading the `Cookie` request header and writing `Set-Cookie` values. The shop's cookies are
//! all HttpOnly, SameSite=Lax and site-wide; their values are hex tokens, so no encoding is
//! needed.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The session token of a signed-in browser.
pub const SESSION: &str = "shop_session";
/// The double-submit CSRF token, see `csrf`.
pub const CSRF: &str = "shop_csrf";

/// The value of the cookie called `name`, from any `Cookie` header.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

/// A `Set-Cookie` value storing `value` under `name` for the browser session.
pub fn set(name: &str, value: &str) -> String {
    format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/")
}

/// A `Set-Cookie` value that makes the browser forget `name`.
pub fn expire(name: &str) -> String {
    format!("{name}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_a_cookie_among_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; shop_csrf=abc"));
        headers.append(COOKIE, HeaderValue::from_static("shop_session=def"));
        assert_eq!(read(&headers, CSRF).as_deref(), Some("abc"));
        assert_eq!(read(&headers, SESSION).as_deref(), Some("def"));
        assert_eq!(read(&headers, "missing"), None);
    }

    #[test]
    fn set_cookie_attributes() {
        assert_eq!(
            set(SESSION, "abc"),
            "shop_session=abc; HttpOnly; SameSite=Lax; Path=/"
        );
        assert!(expire(SESSION).contains("Max-Age=0"));
    }
}
