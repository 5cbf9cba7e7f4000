//! The security headers every answer carries, whichever handler (or refusal, or 404) made it:
//! `X-Content-Type-Options: nosniff`, so a browser never reads a JSON body, a report or an
//! artifact as something else; `X-Frame-Options: DENY` for browsers older than
//! `frame-ancestors`; and, where the handler set no policy of its own, a
//! `Content-Security-Policy` that allows nothing and no framing. Pages and reports set their
//! own, stricter where it matters (each has `frame-ancestors 'none'`); this layer never
//! loosens one.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// For answers that are not documents (JSON, redirects, streams): nothing may load or frame.
pub const FALLBACK_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(FALLBACK_POLICY),
        );
    }
    response
}
