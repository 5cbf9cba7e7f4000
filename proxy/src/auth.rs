//! The admin API's one rule of access: `Authorization: Bearer <token>` on every request,
//! compared in constant time. A middleware, so no route can forget it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::AUTHORIZATION;
use subtle::ConstantTimeEq;

use crate::admin_error::AdminError;

pub async fn require_token(State(token): State<Arc<str>>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token);
    match presented {
        Some(p) if matches(p.trim(), &token) => next.run(req).await,
        _ => AdminError::Unauthorized.into_response(),
    }
}

/// Constant time in the content; a length mismatch is answered at once (the length of a
/// token is no secret worth guarding).
fn matches(presented: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_exact_token_matches() {
        assert!(super::matches("s3cret", "s3cret"));
        assert!(!super::matches("s3creT", "s3cret"));
        assert!(!super::matches("s3cre", "s3cret"));
        assert!(!super::matches("", ""));
    }
}
