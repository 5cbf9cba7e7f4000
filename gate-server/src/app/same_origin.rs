//! Cross-site request forgery protection for the pages' forms (log in, log out, cancel,
//! re-run). The cookie is `SameSite=Strict`, and on top of that a form post must say where it
//! comes from: its `Origin` (or, lacking one, its `Referer`) must be the server's public URL
//! or the host the request was sent to, and a browser's `Sec-Fetch-Site`, when it sends one,
//! must be `same-origin` (a sibling subdomain is `same-site`: not us either). A post that says
//! nothing of where it comes from is refused. API calls carry a bearer header, which a foreign
//! page cannot set, and are not checked here.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Set by browsers (not by scripts) on every request: `same-origin`, `same-site`,
/// `cross-site` or `none`.
const SEC_FETCH_SITE: &str = "sec-fetch-site";

pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD);
    if safe || is_same_origin(request.headers(), &state.config().public_url) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "cross-site form post refused");
    crate::pages::message(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "This form was sent from another site, so it was refused. Open the page on this server and try again.",
    )
}

/// Whether the request's `Origin` (or `Referer`) is `public_url` or the requested host, and
/// the browser's own `Sec-Fetch-Site` (if any) agrees.
pub fn is_same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if headers
        .get(SEC_FETCH_SITE)
        .is_some_and(|site| site.as_bytes() != b"same-origin")
    {
        return false;
    }
    let Some(from) = text(header::ORIGIN)
        .filter(|o| *o != "null")
        .or_else(|| text(header::REFERER))
        .and_then(origin_of)
    else {
        return false;
    };
    if origin_of(public_url).is_some_and(|public| public == from) {
        return true;
    }
    // Behind a proxy the public URL is authoritative; without one the Host header names us.
    text(header::HOST).is_some_and(|host| {
        from.split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
    })
}

/// `scheme://host[:port]` of an absolute http(s) URL, lowercased, default ports dropped.
fn origin_of(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
        None => format!("{}://{host}", parsed.scheme()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().expect("a header value"));
        }
        map
    }

    #[test]
    fn same_origin_by_public_url_or_host() {
        let public = "https://gate.example.com";
        assert!(is_same_origin(
            &headers(&[("origin", "https://gate.example.com")]),
            public
        ));
        assert!(is_same_origin(
            &headers(&[("referer", "https://gate.example.com/runs/1")]),
            public
        ));
        assert!(is_same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:4000"),
                ("host", "127.0.0.1:4000")
            ]),
            public
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "gate.example.com")
            ]),
            public
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "null"), ("host", "gate.example.com")]),
            public
        ));
        assert!(!is_same_origin(
            &headers(&[("host", "gate.example.com")]),
            public
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "https://gate.example.com.evil.example")]),
            public
        ));
        // The browser's word on where the form is from must agree.
        let ours = ("origin", "https://gate.example.com");
        assert!(is_same_origin(
            &headers(&[ours, ("sec-fetch-site", "same-origin")]),
            public
        ));
        for site in ["same-site", "cross-site", "none"] {
            assert!(
                !is_same_origin(&headers(&[ours, ("sec-fetch-site", site)]), public),
                "{site}"
            );
        }
    }
}
