//! The sticky cookie: reading it from a request and the `Set-Cookie` value that pins a user
//! to a version. Knows nothing of which version is chosen.

use http::header::{COOKIE, HeaderMap, HeaderValue};

/// The value of cookie `name` in the request's `Cookie` headers (the first one wins).
pub fn value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A session cookie (no expiry): it lasts as long as the browser session, which outlives any
/// canary, and a rollback makes it void anyway (see `assign`).
pub fn set_cookie(name: &str, version: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("{name}={version}; Path=/; HttpOnly; SameSite=Lax")).ok()
}

/// Cookie names are RFC 6265 tokens.
pub fn check_name(name: &str) -> Result<(), String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(format!(
            "`{name}` is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cookie_among_others_and_across_headers() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; gate_version_x=v9"));
        h.append(
            COOKIE,
            HeaderValue::from_static("session=abc;gate_version=v2"),
        );
        assert_eq!(value(&h, "gate_version"), Some("v2"));
        assert_eq!(value(&h, "missing"), None);
        assert_eq!(
            set_cookie("gate_version", "v2").expect("valid"),
            "gate_version=v2; Path=/; HttpOnly; SameSite=Lax"
        );
        assert!(check_name("gate version").is_err());
        assert!(check_name("gate_version").is_ok());
    }
}
