//! What the API tests share: a gate (`app(state)` over a real SQLite store in a temp dir, with
//! small scenario files and one token per scope), requests through `oneshot`, and hand-built
//! scenario results.

#![allow(dead_code, reason = "each test file uses its own part of the harness")]
#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use gate_runner::result::{
    Artifacts, Attempt, AttemptOutcome, FailedRequest, Failure, FailureKind, Outcome,
    ScenarioResult,
};
use gate_server::auth::{Scope, hash_token};
use gate_server::config::{ServerConfig, TokenConfig, WebhookConfig};
use gate_server::service::Service;
use gate_server::state::AppState;
use gate_server::store::Store;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

pub const SECRET: &str = "webhook-secret";
pub const PUBLIC_URL: &str = "http://gate.test";

/// The token of the test principal named after its scope (`read`, `submit`, `agent`, `admin`).
pub fn token(scope: &str) -> String {
    format!("test-token-{scope}")
}

/// A full commit SHA made of one repeated byte.
pub fn sha(byte: u8) -> String {
    format!("{byte:02x}").repeat(20)
}

/// The default scenario files: `home` (smoke) and `checkout` (critical).
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "home.toml",
        "name = \"home\"\ntags = [\"smoke\"]\n[[step]]\ngoto = \"/\"\n",
    ),
    (
        "checkout.toml",
        "name = \"checkout\"\ntags = [\"critical\"]\n[[step]]\ngoto = \"/checkout\"\n",
    ),
];

pub struct Gate {
    pub state: AppState,
    pub dir: tempfile::TempDir,
}

pub fn config(dir: &std::path::Path) -> ServerConfig {
    let tokens = ["read", "submit", "agent", "admin"]
        .iter()
        .map(|name| TokenConfig {
            name: name.to_string(),
            hash: hash_token(&token(name)),
            scopes: vec![match *name {
                "read" => Scope::Read,
                "submit" => Scope::Submit,
                "agent" => Scope::Agent,
                _ => Scope::Admin,
            }],
        })
        .collect();
    ServerConfig {
        listen: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}", dir.join("gate.db").display()),
        public_url: PUBLIC_URL.into(),
        scenarios: vec![dir.join("scenarios")],
        default_base_url: None,
        workers: 0,
        browser: None,
        browser_args: vec![],
        step_timeout: Duration::from_secs(5),
        scenario_timeout: Duration::from_secs(60),
        lease: Duration::from_secs(30),
        max_leases: 3,
        tokens,
        webhook: Some(WebhookConfig {
            secret: SECRET.into(),
            base_url: Some("http://pr-{pr}.staging.test".into()),
        }),
        publish: None,
        services: vec![],
        max_body: 1024 * 1024,
        request_timeout: Duration::from_secs(30),
    }
}

impl Gate {
    pub async fn new() -> Gate {
        Gate::with(SCENARIOS, |_| {}).await
    }

    /// A gate with these scenario files and a changed configuration.
    pub async fn with(scenarios: &[(&str, &str)], change: impl FnOnce(&mut ServerConfig)) -> Gate {
        let dir = tempfile::tempdir().unwrap();
        let scenario_dir = dir.path().join("scenarios");
        std::fs::create_dir_all(&scenario_dir).unwrap();
        for (name, text) in scenarios {
            std::fs::write(scenario_dir.join(name), text).unwrap();
        }
        let mut config = config(dir.path());
        change(&mut config);
        let store = Store::connect(&config.database_url).await.unwrap();
        let state = AppState::new(config, store, CancellationToken::new()).unwrap();
        state.pool_ready.store(true, Ordering::SeqCst);
        Gate { state, dir }
    }

    pub fn service(&self) -> &Service {
        &self.state.service
    }

    pub fn store(&self) -> &Store {
        self.state.service.store()
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = gate_server::app::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        // An event stream never ends by itself: its headers are the answer.
        let streaming = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
        let body = if streaming {
            Bytes::new()
        } else {
            to_bytes(response.into_body(), 64 * 1024 * 1024)
                .await
                .unwrap()
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str, bearer: Option<&str>) -> Reply {
        self.send(request("GET", uri, bearer, None, Vec::new()))
            .await
    }

    pub async fn post_json(
        &self,
        uri: &str,
        bearer: Option<&str>,
        body: &serde_json::Value,
    ) -> Reply {
        self.send(request(
            "POST",
            uri,
            bearer,
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
        ))
        .await
    }

    /// Submits `commit` with the `submit` token; the run's JSON.
    pub async fn submit(&self, commit: &str) -> serde_json::Value {
        let reply = self
            .post_json(
                "/api/v1/runs",
                Some(&token("submit")),
                &serde_json::json!({ "commit": commit, "base_url": "http://127.0.0.1:9" }),
            )
            .await;
        assert!(reply.status.is_success(), "{}", reply.text());
        reply.json()
    }

    /// The commit's combined verdict (`null` with a 404).
    pub async fn verdict(&self, commit: &str) -> serde_json::Value {
        self.get(
            &format!("/api/v1/commits/{commit}/status"),
            Some(&token("read")),
        )
        .await
        .json()
    }
}

pub fn request(
    method: &str,
    uri: &str,
    bearer: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(t) = bearer {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        builder = builder.header(header::CONTENT_TYPE, ct);
    }
    builder.body(Body::from(body)).unwrap()
}

/// A GitHub delivery signed with `secret`.
pub fn signed(event: &str, delivery: &str, body: &str, secret: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri("/api/v1/webhooks/github")
        .header("content-type", "application/json")
        .header("x-github-event", event)
        .header("x-github-delivery", delivery)
        .header(
            "x-hub-signature-256",
            gate_server::webhook::sign(secret.as_bytes(), body.as_bytes()),
        )
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A scenario result as a runner would send it. `failed`/`error` results carry a failure at
/// `<path>:7`, a screenshot, a console error and a failed request; `flaky` failed once first.
pub fn result(name: &str, path: &str, outcome: Outcome) -> ScenarioResult {
    let failing_attempt = |number| Attempt {
        number,
        outcome: if outcome == Outcome::Error {
            AttemptOutcome::Error
        } else {
            AttemptOutcome::Failed
        },
        worker: 1,
        duration_ms: 400,
        steps: vec![],
        failure: Some(Failure {
            kind: if outcome == Outcome::Error {
                FailureKind::Infrastructure
            } else {
                FailureKind::Assertion
            },
            step: Some(0),
            location: Some(format!("{path}:7")),
            step_description: Some("expect text \"Thank you\"".into()),
            message: "the confirmation did not appear".into(),
            expected: Some("text \"Thank you\"".into()),
            actual: Some("h1 \"Something went wrong\"".into()),
        }),
        artifacts: Artifacts {
            failure_screenshot: Some(format!("{name}/attempt-{number}/failure.png")),
            page_html: None,
            screenshots: vec![],
            browser_log: None,
        },
        console_errors: vec!["TypeError: cart is undefined".into()],
        failed_requests: vec![FailedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:9/api/orders".into(),
            status: Some(500),
            error: None,
        }],
    };
    let passing_attempt = |number| Attempt {
        number,
        outcome: AttemptOutcome::Passed,
        worker: 1,
        duration_ms: 300,
        steps: vec![],
        failure: None,
        artifacts: Artifacts::default(),
        console_errors: vec![],
        failed_requests: vec![],
    };
    let attempts = match outcome {
        Outcome::Passed => vec![passing_attempt(1)],
        Outcome::Flaky => vec![failing_attempt(1), passing_attempt(2)],
        Outcome::Failed | Outcome::Error | Outcome::Cancelled => vec![failing_attempt(1)],
    };
    ScenarioResult {
        name: name.into(),
        path: path.into(),
        tags: vec![],
        outcome,
        duration_ms: attempts.iter().map(|a| a.duration_ms).sum(),
        attempts,
    }
}

/// Leases every queued job through the service and completes each with the outcome
/// `outcome_of` gives its scenario name, as a runner would. Returns the ids of the runs that
/// finished.
pub async fn finish_all(gate: &Gate, outcome_of: impl Fn(&str) -> Outcome) -> Vec<String> {
    let service = gate.service();
    let leased = service
        .lease("test-runner", 100, Duration::ZERO)
        .await
        .unwrap();
    let mut finished = Vec::new();
    for lease in leased {
        let r = result(
            &lease.job.scenario,
            &lease.job.path,
            outcome_of(&lease.job.scenario),
        );
        let shot = r
            .attempts
            .iter()
            .filter_map(|a| a.artifacts.failure_screenshot.clone())
            .map(|p| (p, b"\x89PNG fake".to_vec()))
            .collect::<Vec<_>>();
        let recorded = service
            .complete(&lease.job.id, &lease.token, &r, &shot)
            .await
            .unwrap();
        if recorded.run_finished {
            finished.push(lease.run.id.clone());
        }
    }
    finished
}
