//! The gate server's JSON API as the deploy commands call it: one client with a time limit on
//! every call, answers read into the shared `gate-wire` types, and every failure sorted by who
//! can fix it: the server said no (a refusal, a bad value, a missing scope, an unknown id: its
//! message says what to do, exit 2) or the server could not answer (unreachable, failing, a
//! broken answer: exit 3). Paths are built from segments, so ids and names are encoded.

use std::time::Duration;

use gate_wire::ErrorBody;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cli::ServerArgs;
use crate::exit;

/// The longest one call may take.
const CALL_LIMIT: Duration = Duration::from_secs(30);
/// The longest connecting may take (also for the event stream, which has no overall limit).
const CONNECT_LIMIT: Duration = Duration::from_secs(10);

/// Why a call did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with a 4xx: its message and the request field it is about (shown
    /// after the message).
    Refused {
        status: StatusCode,
        message: String,
        field: Option<String>,
    },
    /// No answer, a 5xx, or an answer that is not what the API promises.
    Infrastructure(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Refused { .. } => exit::INVALID,
            Failure::Infrastructure(_) => exit::INFRA,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Failure::Refused { status, .. } if *status == StatusCode::NOT_FOUND)
    }

    /// Prints `error: <doing>: <why>` and gives the exit code.
    pub fn report(&self, doing: &str) -> u8 {
        eprintln!("error: {doing}: {self}");
        self.exit_code()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused {
                message,
                field: Some(field),
                ..
            } => write!(f, "{message} (field `{field}`)"),
            Failure::Refused { message, .. } => f.write_str(message),
            Failure::Infrastructure(why) => f.write_str(why),
        }
    }
}

/// A gate server and the token to call it with.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    /// Without an overall time limit: for the event stream.
    streaming: reqwest::Client,
    base: url::Url,
    token: String,
}

/// Prints a server's answer that carries its own renderings: the whole answer as JSON, or
/// its string `field` (`text`, `markdown`) as it is. Exit code 0.
pub fn print_answer(answer: &serde_json::Value, json: bool, field: &str) -> u8 {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(answer).unwrap_or_default()
        );
    } else {
        print!("{}", answer[field].as_str().unwrap_or_default());
    }
    crate::exit::PASSED
}

impl Api {
    pub fn new(server: &ServerArgs) -> Api {
        let build = |limit: Option<Duration>| {
            let builder = reqwest::Client::builder()
                .connect_timeout(CONNECT_LIMIT)
                .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")));
            match limit {
                Some(limit) => builder.timeout(limit),
                None => builder,
            }
            .build()
            .unwrap_or_default()
        };
        // `--server` was checked to be an absolute http(s) URL when the command line was read.
        let mut base = url::Url::parse(&server.server)
            .unwrap_or_else(|_| url::Url::parse("http://127.0.0.1/").expect("a valid URL"));
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Api {
            http: build(Some(CALL_LIMIT)),
            streaming: build(None),
            base,
            token: server.token.clone(),
        }
    }

    /// The server as the user named it, for messages.
    pub fn server(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// `/api/v1/<segments…>?<query>`, each segment encoded.
    pub fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> url::Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["api", "v1"]).extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T, Failure> {
        let response = self
            .send(Method::GET, self.url(segments, query), None)
            .await?;
        read_json(response).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        segments: &[&str],
        body: &B,
    ) -> Result<T, Failure> {
        let body = serde_json::to_vec(body).unwrap_or_default();
        let response = self
            .send(Method::POST, self.url(segments, &[]), Some(body))
            .await?;
        read_json(response).await
    }

    /// A GET whose answer is text (the postmortem's Markdown).
    pub async fn get_text(&self, segments: &[&str]) -> Result<String, Failure> {
        let response = self
            .send(Method::GET, self.url(segments, &[]), None)
            .await?;
        response
            .text()
            .await
            .map_err(|e| Failure::Infrastructure(format!("the answer broke off: {e}")))
    }

    /// `GET /api/v1/events`, open: the caller reads its body as it comes.
    pub async fn events(&self) -> Result<reqwest::Response, Failure> {
        let request = self
            .streaming
            .get(self.url(&["events"], &[]))
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "text/event-stream");
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        checked(response).await
    }

    async fn send(
        &self,
        method: Method,
        url: url::Url,
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, Failure> {
        let mut request = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        checked(response).await
    }

    fn unreachable(&self, err: reqwest::Error) -> Failure {
        let why = if err.is_timeout() {
            format!("no answer within {}s", CALL_LIMIT.as_secs())
        } else {
            // The source says what failed (refused, DNS, TLS); reqwest's own text does not.
            let mut why = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                why = s.to_string();
                source = s.source();
            }
            why
        };
        Failure::Infrastructure(format!(
            "cannot reach the gate server at {}: {why}",
            self.server()
        ))
    }
}

/// The response if it is a success; else the failure its status and body describe.
async fn checked(response: reqwest::Response) -> Result<reqwest::Response, Failure> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    let (said, field) = match serde_json::from_str::<ErrorBody>(&body) {
        Ok(ErrorBody { error, field }) => (error, field),
        Err(_) if body.trim().is_empty() => (status.to_string(), None),
        Err(_) => (format!("{status}: {}", body.trim()), None),
    };
    let message = match status {
        StatusCode::UNAUTHORIZED => {
            format!("{said}: the server does not know this token; check --token (GATE_TOKEN)")
        }
        _ => said,
    };
    if status.is_client_error() {
        Err(Failure::Refused {
            status,
            message,
            field,
        })
    } else {
        Err(Failure::Infrastructure(format!(
            "the gate server failed ({status}): {message}"
        )))
    }
}

async fn read_json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, Failure> {
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Failure::Infrastructure(format!("the answer broke off: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::Infrastructure(format!(
            "the server's answer is not what this gate expects ({e}): is it the same version?"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(server: &str) -> Api {
        Api::new(&ServerArgs {
            server: server.into(),
            token: "t".into(),
        })
    }

    #[test]
    fn paths_are_encoded_segments_under_the_server() {
        let url =
            api("http://gate.test/base").url(&["deployments", "a/b c"], &[("since", "14:00")]);
        assert_eq!(
            url.as_str(),
            "http://gate.test/base/api/v1/deployments/a%2Fb%20c?since=14%3A00"
        );
        let url = api("http://gate.test/").url(&["services", "shop", "rollback"], &[]);
        assert_eq!(
            url.as_str(),
            "http://gate.test/api/v1/services/shop/rollback"
        );
    }

    #[test]
    fn refusals_are_usage_errors_and_the_rest_infrastructure() {
        let refused = Failure::Refused {
            status: StatusCode::CONFLICT,
            message: "no".into(),
            field: None,
        };
        assert_eq!(refused.exit_code(), exit::INVALID);
        assert_eq!(Failure::Infrastructure("x".into()).exit_code(), exit::INFRA);
    }
}
