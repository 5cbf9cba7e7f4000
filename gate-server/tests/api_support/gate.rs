//! A gate over a real SQLite store, and requests to it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use gate_server::auth::{Scope, hash_token};
use gate_server::config::{ServerConfig, TokenConfig, WebhookConfig};
use gate_server::service::Service;
use gate_server::state::AppState;
use gate_server::store::Store;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

pub const SECRET: &str = "webhook-secret";
pub const PUBLIC_URL: &str = "http://gate.test";

/// The token of the test principal named after its scope (`read`, `submit`, `agent`,
/// `deploy`, `admin`), or of `expired` and `revoked` (both admin, both refused).
pub fn token(scope: &str) -> String {
    format!("test-token-{scope}")
}

/// When the `expired` test token expired.
pub const EXPIRED_AT: &str = "2026-01-02T03:04:05Z";

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
    let tokens = [
        "read", "submit", "agent", "deploy", "admin", "expired", "revoked",
    ]
    .iter()
    .map(|name| TokenConfig {
        name: name.to_string(),
        hash: hash_token(&token(name)),
        scopes: vec![match *name {
            "read" => Scope::Read,
            "submit" => Scope::Submit,
            "agent" => Scope::Agent,
            "deploy" => Scope::Deploy,
            _ => Scope::Admin,
        }],
        expires: (*name == "expired").then(|| EXPIRED_AT.parse().unwrap()),
        revoked: *name == "revoked",
    })
    .collect();
    ServerConfig {
        digest: None,
        parity: None,
        digest_now: None,
        release: None,
        listen: "127.0.0.1:0".into(),
        database_url: format!("sqlite://{}", dir.join("gate.db").display()),
        public_url: PUBLIC_URL.into(),
        scenarios: vec![dir.join("scenarios")],
        default_base_url: None,
        workers: 0,
        browser: None,
        recycle_after: 0,
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
        secrets: Default::default(),
        max_body: 1024 * 1024,
        request_timeout: Duration::from_secs(30),
        require_committed_config: false,
        provenance: None,
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
            .submit_json(&serde_json::json!({ "commit": commit, "base_url": "http://127.0.0.1:9" }))
            .await;
        assert!(reply.status.is_success(), "{}", reply.text());
        reply.json()
    }

    /// The runs `GET /api/v1/runs{query}` lists, as the `read` token.
    pub async fn runs(&self, query: &str) -> Vec<serde_json::Value> {
        let reply = self
            .get(&format!("/api/v1/runs{query}"), Some(&token("read")))
            .await;
        let runs = reply.json()["runs"].as_array().cloned();
        runs.unwrap_or_else(|| panic!("{query}: {} {}", reply.status, reply.text()))
    }

    /// `POST /api/v1/runs` with `body`, as the `submit` token.
    pub async fn submit_json(&self, body: &serde_json::Value) -> Reply {
        self.post_json("/api/v1/runs", Some(&token("submit")), body)
            .await
    }

    /// `POST /api/v1/runs/{id}/{action}` (`cancel`, `rerun-failed`), as the `submit` token.
    pub async fn run_action(&self, id: &str, action: &str) -> Reply {
        self.post_json(
            &format!("/api/v1/runs/{id}/{action}"),
            Some(&token("submit")),
            &serde_json::Value::Null,
        )
        .await
    }

    /// `POST /api/v1/agent/lease` with `body`, as the `agent` token.
    pub async fn lease(&self, body: &serde_json::Value) -> Reply {
        self.post_json("/api/v1/agent/lease", Some(&token("agent")), body)
            .await
    }

    /// `POST /api/v1/agent/jobs/{job}/{action}` (`heartbeat`, `release`, `result`) with `body`,
    /// as the `agent` token.
    pub async fn job(&self, job: &str, action: &str, body: &serde_json::Value) -> Reply {
        self.post_json(
            &format!("/api/v1/agent/jobs/{job}/{action}"),
            Some(&token("agent")),
            body,
        )
        .await
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
