//! Request bodies: strict JSON whose errors name the offending field, and raw bytes (for the
//! signed webhook). Both answer an oversized body with a JSON 413 and never read past the
//! route's limit.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body, decoded strictly: wrong types, unknown fields and missing fields are 400s that
/// name the field; another content type is 415; a body over the limit is 413.
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for StrictJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        decode(&bytes).map(StrictJson)
    }
}

/// The body as sent, within the route's limit.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "the request body is larger than this server accepts",
                    )
                } else {
                    tracing::debug!("cannot read a request body: {e}");
                    ApiError::new(StatusCode::BAD_REQUEST, "could not read the request body")
                }
            })
    }
}

/// Decodes `bytes` as one JSON object of type `T`; errors name the field (`jobs[2].name`).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // serde would take a struct from an array too, and blame "[0]".
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(path_error)?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    Ok(value)
}

fn path_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not valid JSON: {inner}"),
        );
    }
    let message = inner.to_string();
    // A missing field is reported at its parent's path (an unknown one at its own); the field
    // is the one between backticks in the message.
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let field = match (named, path.as_str()) {
        (Some(name), at) if at == name || at.ends_with(&format!(".{name}")) => at.to_string(),
        (Some(name), ".") => name.to_string(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => return ApiError::new(StatusCode::BAD_REQUEST, message),
        (None, at) => at.to_string(),
    };
    ApiError::field(StatusCode::BAD_REQUEST, &field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only decoded")]
    struct Outer {
        name: String,
        inner: Inner,
        #[serde(default)]
        list: Vec<u32>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only decoded")]
    struct Inner {
        count: u32,
    }

    fn field(json: &str) -> (StatusCode, Option<String>) {
        let err = decode::<Outer>(json.as_bytes()).expect_err("invalid on purpose");
        (err.status, err.field)
    }

    #[test]
    fn errors_name_the_field_wherever_it_is() {
        let bad = StatusCode::BAD_REQUEST;
        assert_eq!(
            field(r#"{"name": 1, "inner": {"count": 1}}"#),
            (bad, Some("name".into()))
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"count": "x"}}"#),
            (bad, Some("inner.count".into()))
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {}}"#),
            (bad, Some("inner.count".into()))
        );
        assert_eq!(
            field(r#"{"inner": {"count": 1}}"#),
            (bad, Some("name".into()))
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"count": 1, "extra": 1}}"#),
            (bad, Some("inner.extra".into()))
        );
        assert_eq!(
            field(r#"{"name": "a", "inner": {"count": 1}, "list": [1, "2"]}"#),
            (bad, Some("list[1]".into()))
        );
        assert_eq!(field(r#"{"name": "a", "#), (bad, None));
        assert_eq!(field(r#"[1]"#), (bad, None));
        assert_eq!(
            field(r#"{"name": "a", "inner": {"count": 1}} {}"#),
            (bad, None)
        );
        assert!(decode::<Outer>(br#"{"name": "a", "inner": {"count": 1}}"#).is_ok());
    }
}
