//! API steps: HTTP requests made in the scenario's browser session. The context's cookies are
//! sent, and cookies the server sets (on every redirect hop) land back in the browser context.

use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::network::{CookieParam, CookieSameSite, TimeSinceEpoch};
use gate_scenarios::{Body, Request};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;

use super::action::resolve_url;
use super::{Deadline, Exec};
use crate::error::StepError;

/// Responses larger than this are cut (the step still sees the status and headers).
const MAX_BODY: usize = 10 * 1024 * 1024;
const MAX_REDIRECTS: usize = 10;

/// What came back, as plain data for expectations and captures.
#[derive(Debug, Clone)]
pub struct Response {
    pub method: String,
    pub url: String,
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub duration: Duration,
}

impl Response {
    pub fn json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.body)
    }
}

pub async fn send(
    exec: &Exec<'_>,
    req: &Request,
    deadline: Deadline,
) -> Result<Response, StepError> {
    let mut url = resolve_url(&exec.config.base_url, &exec.scope.render(&req.url)?);
    let mut method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| StepError::step(format!("bad HTTP method `{}`", req.method)))?;
    let mut headers = Vec::new();
    for (name, value) in &req.headers {
        headers.push((name.clone(), exec.scope.render(value)?));
    }
    let mut body = match &req.body {
        None => None,
        Some(Body::Json(v)) => Some((
            "application/json".to_string(),
            serde_json::to_vec(&exec.scope.render_json(v)?).unwrap_or_default(),
        )),
        Some(Body::Form(fields)) => {
            let mut form = Vec::new();
            for (k, v) in fields {
                form.push((k.clone(), exec.scope.render(v)?));
            }
            let encoded = serde_urlencoded::to_string(&form)
                .map_err(|e| StepError::step(format!("cannot encode form: {e}")))?;
            Some((
                "application/x-www-form-urlencoded".to_string(),
                encoded.into_bytes(),
            ))
        }
        Some(Body::Raw(t)) => Some((String::new(), exec.scope.render(t)?.into_bytes())),
    };

    let started = Instant::now();
    for _ in 0..=MAX_REDIRECTS {
        let mut builder = exec.http.request(method.clone(), &url);
        for (k, v) in &headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let cookies = exec.page.cookies(vec![url.clone()]).await?;
        if !cookies.is_empty() {
            let header = cookies
                .iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect::<Vec<_>>()
                .join("; ");
            builder = builder.header(COOKIE, header);
        }
        if let Some((content_type, bytes)) = &body {
            if !content_type.is_empty()
                && !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                builder = builder.header(CONTENT_TYPE, content_type.as_str());
            }
            builder = builder.body(bytes.clone());
        }
        let response = match tokio::time::timeout(deadline.remaining(), builder.send()).await {
            Err(_) => {
                return Err(StepError::step(format!(
                    "{method} {url} did not answer {}",
                    deadline.describe()
                )));
            }
            Ok(Err(err)) => {
                return Err(StepError::step(format!(
                    "{method} {url} failed: {}",
                    error_chain(&err)
                )));
            }
            Ok(Ok(r)) => r,
        };
        store_cookies(exec, &url, &response).await?;
        let status = response.status();
        if status.is_redirection() {
            if let Some(next) = response
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
            {
                url = resolve_url(&url, next);
                if !matches!(status.as_u16(), 307 | 308) {
                    method = reqwest::Method::GET;
                    body = None;
                }
                continue;
            }
        }
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = match tokio::time::timeout(deadline.remaining(), read_limited(response)).await {
            Err(_) => {
                return Err(StepError::step(format!(
                    "{method} {url}: the body did not arrive {}",
                    deadline.describe()
                )));
            }
            Ok(Err(err)) => {
                return Err(StepError::step(format!(
                    "{method} {url}: reading the body failed: {}",
                    error_chain(&err)
                )));
            }
            Ok(Ok(b)) => b,
        };
        return Ok(Response {
            method: method.to_string(),
            url,
            status: status.as_u16(),
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            duration: started.elapsed(),
        });
    }
    Err(StepError::step(format!(
        "{} {url}: more than {MAX_REDIRECTS} redirects",
        req.method
    )))
}

async fn read_limited(mut response: reqwest::Response) -> reqwest::Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(out)
}

/// Copies `Set-Cookie` headers into the browser context, scoped to the URL they came from.
async fn store_cookies(
    exec: &Exec<'_>,
    url: &str,
    response: &reqwest::Response,
) -> Result<(), StepError> {
    let mut params = Vec::new();
    for header in response.headers().get_all(SET_COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        let Ok(c) = cookie::Cookie::parse(text.to_string()) else {
            continue;
        };
        let mut p = CookieParam::new(c.name().to_string(), c.value().to_string());
        p.url = Some(url.to_string());
        p.domain = c.domain().map(str::to_string);
        p.path = Some(c.path().unwrap_or("/").to_string());
        p.secure = c.secure();
        p.http_only = c.http_only();
        p.same_site = c.same_site().map(|s| match s {
            cookie::SameSite::Strict => CookieSameSite::Strict,
            cookie::SameSite::Lax => CookieSameSite::Lax,
            cookie::SameSite::None => CookieSameSite::None,
        });
        if let Some(expires) = c.expires_datetime() {
            p.expires = Some(TimeSinceEpoch::new(expires.unix_timestamp() as f64));
        } else if let Some(max_age) = c.max_age() {
            let at = time::OffsetDateTime::now_utc() + max_age;
            p.expires = Some(TimeSinceEpoch::new(at.unix_timestamp() as f64));
        }
        params.push(p);
    }
    exec.page.set_cookies(params).await?;
    Ok(())
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
