//! [`ProxyRouter`]: [`TrafficRouter`] over `gate proxy`'s admin API. One HTTP request per
//! call, each bounded by the configured timeout; answers mapped onto [`RouterError`] kinds with
//! what to check.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::FORCE_HEADER;
use crate::error::{Action, RouterError, RouterErrorKind, humanize};
use crate::route_table::RouteTable;
use crate::router::{Backend, TrafficRouter};
use crate::sample::Sample;

use super::api::{self, ApiError, Heartbeat, Routes, VersionRoute};
use super::config::ProxyConfig;
use super::counts;

/// A client of one `gate proxy`. Cheap to share by reference.
#[derive(Debug, Clone)]
pub struct ProxyRouter {
    config: ProxyConfig,
    /// `admin_url` with a trailing slash, so `api/...` joins below it.
    base: Url,
    client: reqwest::Client,
}

impl ProxyRouter {
    /// A client for `config`. Fails only on a malformed admin URL.
    pub fn new(config: &ProxyConfig) -> Result<ProxyRouter, RouterError> {
        let invalid = |detail: String| {
            RouterError::new(
                Action::Configure,
                config.describe(),
                RouterErrorKind::Invalid,
                detail,
            )
        };
        let mut base = Url::parse(&config.admin_url).map_err(|e| {
            invalid(format!(
                "admin URL `{}` is not a URL ({e}): write it as http://127.0.0.1:PORT",
                config.admin_url
            ))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "admin URL `{}` is not http(s)",
                config.admin_url
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let client = reqwest::Client::builder()
            // The admin API is the proxy's own, beside it: never through an HTTP_PROXY.
            .no_proxy()
            .connect_timeout(config.timeout)
            .timeout(config.timeout)
            .user_agent(concat!("gate-traffic/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| invalid(format!("cannot build an HTTP client: {e}")))?;
        Ok(ProxyRouter {
            config: config.clone(),
            base,
            client,
        })
    }

    pub fn config(&self) -> &ProxyConfig {
        &self.config
    }

    /// The proxy's whole state, as its admin API reports it.
    pub async fn state(&self) -> Result<api::State, RouterError> {
        self.call(Action::Sample, Method::GET, api::STATE_PATH, None::<&()>)
            .await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        action: Action,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, RouterError> {
        let bytes = self.send(action, method, path, body).await?;
        let bytes = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes
        };
        serde_json::from_slice(bytes).map_err(|e| {
            self.error(
                action,
                RouterErrorKind::BadAnswer,
                format!(
                    "{path} answered JSON this gate cannot read ({e}): are gate and `gate proxy` \
                     the same version?"
                ),
            )
        })
    }

    /// Sends one request to `path` (one of [`api`]'s paths, taken below the admin URL's own
    /// path); the body of a 2xx answer, or the error it amounts to.
    async fn send(
        &self,
        action: Action,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Vec<u8>, RouterError> {
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| self.error(action, RouterErrorKind::Invalid, format!("{path}: {e}")))?;
        tracing::debug!(%method, %url, "gate proxy admin API");
        let mut request = self
            .client
            .request(method, url.clone())
            .bearer_auth(&self.config.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.unreachable(action, &url, &e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.unreachable(action, &url, &e))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let said = match serde_json::from_slice::<ApiError>(&bytes) {
            Ok(ApiError {
                error,
                field: Some(field),
            }) => format!("{error} (field `{field}`)"),
            Ok(ApiError { error, field: None }) => error,
            Err(_) => String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned(),
        };
        let (kind, detail) = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => (
                RouterErrorKind::Refused,
                format!(
                    "{path} refused gate's token (HTTP {status}): check that the token in gate's \
                     config is the one `gate proxy` was started with"
                ),
            ),
            StatusCode::NOT_FOUND => (
                RouterErrorKind::Refused,
                format!(
                    "{url} does not exist (HTTP 404): check that {} is `gate proxy`'s admin \
                     address, not its traffic port",
                    self.config.admin_url
                ),
            ),
            StatusCode::UNPROCESSABLE_ENTITY => (
                RouterErrorKind::Refused,
                format!("the proxy refused it: {said}"),
            ),
            s if s.is_client_error() => (
                RouterErrorKind::Refused,
                format!("{path} answered HTTP {status}: {said}"),
            ),
            _ => (
                RouterErrorKind::BadAnswer,
                format!("{path} answered HTTP {status}: {said}"),
            ),
        };
        Err(self.error(action, kind, detail))
    }

    fn unreachable(&self, action: Action, url: &Url, error: &reqwest::Error) -> RouterError {
        let detail = if error.is_timeout() {
            format!(
                "{url} did not answer within {}: check that `gate proxy` runs there and is not \
                 stuck",
                humanize(self.config.timeout)
            )
        } else {
            format!(
                "cannot reach {url} ({}): check that `gate proxy` runs and that its admin \
                 address is {}",
                error_chain(error),
                self.config.admin_url
            )
        };
        self.error(action, RouterErrorKind::Unreachable, detail)
    }

    fn error(&self, action: Action, kind: RouterErrorKind, detail: String) -> RouterError {
        RouterError::new(action, self.config.describe(), kind, detail)
    }
}

impl TrafficRouter for ProxyRouter {
    fn describe(&self) -> String {
        self.config.describe()
    }

    async fn route(
        &self,
        stable: &Backend,
        canary: Option<&Backend>,
        canary_weight: u8,
    ) -> Result<(), RouterError> {
        let table = RouteTable::new(&self.describe(), stable, canary, canary_weight)?;
        let body = Routes {
            stable: table.stable.version.clone(),
            versions: table
                .weights()
                .into_iter()
                .map(|(backend, weight)| VersionRoute {
                    name: backend.version.clone(),
                    url: backend.url.clone(),
                    weight: u32::from(weight),
                })
                .collect(),
        };
        self.send(Action::Route, Method::PUT, api::ROUTES_PATH, Some(&body))
            .await
            .map(drop)
    }

    async fn sample(
        &self,
        stable_version: &str,
        canary_version: Option<&str>,
    ) -> Result<Sample, RouterError> {
        let state = self.state().await?;
        counts::sample(&state, stable_version, canary_version)
            .map_err(|(kind, detail)| self.error(Action::Sample, kind, detail))
    }

    async fn heartbeat(&self, timeout: Duration) -> Result<(), RouterError> {
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        if timeout_ms == 0 {
            return Err(self.error(
                Action::Heartbeat,
                RouterErrorKind::Invalid,
                "a watchdog timeout of 0 ms would fire at once".into(),
            ));
        }
        let body = Heartbeat { timeout_ms };
        self.send(
            Action::Heartbeat,
            Method::POST,
            api::HEARTBEAT_PATH,
            Some(&body),
        )
        .await
        .map(drop)
    }

    async fn disarm(&self) -> Result<(), RouterError> {
        self.send(
            Action::Disarm,
            Method::DELETE,
            api::HEARTBEAT_PATH,
            None::<&()>,
        )
        .await
        .map(drop)
    }

    fn has_watchdog(&self) -> bool {
        true
    }

    fn force_header(&self, version: &str) -> Option<(&'static str, String)> {
        Some((FORCE_HEADER, version.to_string()))
    }
}

/// An error and its sources on one line: reqwest's own message hides the cause.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
