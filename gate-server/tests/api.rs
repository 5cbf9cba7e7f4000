//! The HTTP API through `app()` with a real SQLite store: every route against every kind of
//! token (table-driven, from the same route table as the OpenAPI document), malformed input,
//! unknown ids, the signed GitHub webhook, and the OpenAPI document's coverage.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use gate_server::auth::{Scope, Tokens, hash_token};
use gate_server::config::{ServerConfig, TokenConfig, WebhookConfig};
use gate_server::metrics::Metrics;
use gate_server::state::AppState;
use gate_server::store::Store;
use tower::ServiceExt;

const SECRET: &str = "webhook-secret";

fn token(scope: &str) -> String {
    format!("test-token-{scope}")
}

async fn state(dir: &std::path::Path) -> AppState {
    let scenarios = dir.join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    std::fs::write(
        scenarios.join("home.toml"),
        "name = \"home\"\ntags = [\"smoke\"]\n[[step]]\ngoto = \"/\"\n",
    )
    .unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("gate.db").display()))
        .await
        .unwrap();
    let scopes = [
        ("read", Scope::Read),
        ("submit", Scope::Submit),
        ("agent", Scope::Agent),
        ("admin", Scope::Admin),
    ];
    let tokens: Vec<TokenConfig> = scopes
        .iter()
        .map(|(name, s)| TokenConfig {
            name: name.to_string(),
            hash: hash_token(&token(name)),
            scopes: vec![*s],
        })
        .collect();
    let config = ServerConfig {
        listen: "127.0.0.1:0".into(),
        database_url: String::new(),
        public_url: "http://gate.test".into(),
        scenarios: vec![scenarios],
        default_base_url: None,
        workers: 0,
        browser: None,
        browser_args: vec![],
        step_timeout: Duration::from_secs(5),
        scenario_timeout: Duration::from_secs(60),
        lease: Duration::from_secs(30),
        max_leases: 3,
        tokens: tokens.clone(),
        webhook: Some(WebhookConfig {
            secret: SECRET.into(),
            base_url: Some("http://pr-{pr}.staging.test".into()),
        }),
        publish: None,
        max_body: 1024 * 1024,
        request_timeout: Duration::from_secs(30),
    };
    AppState {
        store,
        config: Arc::new(config),
        tokens: Arc::new(Tokens::from_config(&tokens).unwrap()),
        metrics: Arc::new(Metrics::new()),
        work: Arc::default(),
        statuses: Arc::default(),
        webhook_secret: Some(Arc::new(SECRET.as_bytes().to_vec())),
        pool_ready: Arc::new(AtomicBool::new(true)),
    }
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    bearer: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = bearer {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let response = gate_server::app::app(state.clone())
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

fn sha() -> String {
    "ab".repeat(20)
}

/// A body that is valid for the route, so a right token never fails on input.
fn body_for(path: &str) -> serde_json::Value {
    match path {
        "/api/v1/runs" => serde_json::json!({ "commit": sha(), "base_url": "http://127.0.0.1:9" }),
        "/api/v1/agent/lease" => serde_json::json!({ "agent": "t", "capacity": 1, "wait_ms": 0 }),
        p if p.ends_with("/result") => {
            serde_json::json!({ "token": "x", "result": { "name": "home", "path": "home.toml", "tags": [], "outcome": "passed", "duration_ms": 1, "attempts": [] } })
        }
        p if p.ends_with("/heartbeat") || p.ends_with("/release") => {
            serde_json::json!({ "token": "x" })
        }
        _ => serde_json::json!({}),
    }
}

#[tokio::test]
async fn every_route_checks_its_token_and_scope() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(dir.path()).await;
    for (method, template, scope, _, _, _) in gate_server::openapi::ROUTES {
        let path = template
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{sha}", &sha())
            .replace("{path}", "x.png");
        let body = serde_json::to_vec(&body_for(template)).unwrap();
        let method = method.to_uppercase();
        let ct = (method == "POST").then_some("application/json");
        let route = format!("{method} {template}");
        let Some(scope) = scope else {
            // Open routes answer without a token (the webhook is checked by signature below).
            let (status, _) = call(&state, &method, &path, None, ct, body.clone()).await;
            if *template == "/api/v1/webhooks/github" {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{route} without a signature"
                );
            } else {
                assert!(status.is_success(), "{route} without a token: {status}");
            }
            continue;
        };
        let (status, body_json) = call(&state, &method, &path, None, ct, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{route} without a token");
        assert!(body_json["error"].is_string(), "{route}: JSON error body");
        let (status, _) = call(
            &state,
            &method,
            &path,
            Some("not-a-token"),
            ct,
            body.clone(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{route} with a wrong token"
        );
        let too_small = if *scope == "read" { "agent" } else { "read" };
        let (status, _) = call(
            &state,
            &method,
            &path,
            Some(&token(too_small)),
            ct,
            body.clone(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{route} with a `{too_small}` token"
        );
        for good in [*scope, "admin"] {
            let (status, body_json) =
                call(&state, &method, &path, Some(&token(good)), ct, body.clone()).await;
            assert!(
                status != StatusCode::UNAUTHORIZED
                    && status != StatusCode::FORBIDDEN
                    && status != StatusCode::METHOD_NOT_ALLOWED,
                "{route} with a `{good}` token: {status} {body_json}"
            );
            assert!(body_json["error"] != "route not found", "{route} is routed");
        }
    }
}

#[tokio::test]
async fn malformed_input_gets_a_clear_400_413_415_or_404() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(dir.path()).await;
    let submit = token("submit");
    let post = |body: Vec<u8>, ct: Option<&'static str>| {
        let state = state.clone();
        let submit = submit.clone();
        async move { call(&state, "POST", "/api/v1/runs", Some(&submit), ct, body).await }
    };
    let json = Some("application/json");
    let (status, body) = post(b"{not json".to_vec(), json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("not valid JSON"));
    let (status, body) = post(br#"{"commit": 5, "base_url": "http://x"}"#.to_vec(), json).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("commit")),
        "{body}"
    );
    let (status, body) = post(
        format!(
            r#"{{"commit": "{}", "base_url": "http://x", "colour": "red"}}"#,
            sha()
        )
        .into_bytes(),
        json,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("colour")),
        "{body}"
    );
    let (status, body) = post(format!(r#"{{"commit": "{}"}}"#, sha()).into_bytes(), json).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("base_url")),
        "{body}"
    );
    let (status, body) = post(
        br#"{"commit": "nope", "base_url": "http://x"}"#.to_vec(),
        json,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("commit")),
        "{body}"
    );
    let (status, body) = post(
        format!(r#"{{"commit": "{}", "base_url": "ftp://x"}}"#, sha()).into_bytes(),
        json,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("base_url")),
        "{body}"
    );
    let (status, _) = post(
        b"commit=abc".to_vec(),
        Some("application/x-www-form-urlencoded"),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut huge = format!(
        r#"{{"commit": "{}", "base_url": "http://x", "branch": ""#,
        sha()
    )
    .into_bytes();
    huge.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    huge.extend(b"\"}");
    let (status, _) = post(huge, json).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = call(
        &state,
        "GET",
        &format!("/api/v1/commits/{}/status", "cd".repeat(20)),
        Some(&token("read")),
        None,
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = call(
        &state,
        "GET",
        "/api/v1/runs/unknown-run",
        Some(&token("read")),
        None,
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing above created a run.
    let (_, list) = call(
        &state,
        "GET",
        "/api/v1/runs",
        Some(&token("read")),
        None,
        vec![],
    )
    .await;
    assert_eq!(list["runs"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn submissions_are_idempotent_and_verdicts_start_pending() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(dir.path()).await;
    let body = serde_json::to_vec(&body_for("/api/v1/runs")).unwrap();
    let (status, first) = call(
        &state,
        "POST",
        "/api/v1/runs",
        Some(&token("submit")),
        Some("application/json"),
        body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, second) = call(
        &state,
        "POST",
        "/api/v1/runs",
        Some(&token("submit")),
        Some("application/json"),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["jobs"].as_array().unwrap().len(), 1);
    let (status, verdict) = call(
        &state,
        "GET",
        &format!("/api/v1/commits/{}/status", sha()),
        Some(&token("read")),
        None,
        vec![],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verdict["state"], "pending");
    assert_eq!(
        verdict["target_url"],
        format!("http://gate.test/commits/{}", sha())
    );
}

fn signed(event: &str, delivery: &str, body: &str, secret: &str) -> Request<Body> {
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

#[tokio::test]
async fn the_github_webhook_queues_runs_only_with_a_valid_signature() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(dir.path()).await;
    let app = || gate_server::app::app(state.clone());
    let pr = format!(
        r#"{{"action":"opened","number":12,"pull_request":{{"number":12,"head":{{"sha":"{}","ref":"feature"}}}}}}"#,
        sha()
    );

    let forged = app()
        .oneshot(signed("pull_request", "d1", &pr, "wrong-secret"))
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let mut unsigned = signed("pull_request", "d1", &pr, SECRET);
    unsigned.headers_mut().remove("x-hub-signature-256");
    assert_eq!(
        app().oneshot(unsigned).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, list) = call(
        &state,
        "GET",
        "/api/v1/runs",
        Some(&token("read")),
        None,
        vec![],
    )
    .await;
    assert_eq!(
        list["runs"].as_array().unwrap().len(),
        0,
        "nothing queued by bad signatures"
    );

    let ok = app()
        .oneshot(signed("pull_request", "d2", &pr, SECRET))
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    let run: serde_json::Value =
        serde_json::from_slice(&to_bytes(ok.into_body(), 1 << 20).await.unwrap()).unwrap();
    assert_eq!(
        (run["pr"].as_u64(), run["base_url"].as_str()),
        (Some(12), Some("http://pr-12.staging.test"))
    );
    let again = app()
        .oneshot(signed("pull_request", "d2", &pr, SECRET))
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "a redelivery queues nothing new"
    );
    let ping = app()
        .oneshot(signed("ping", "d3", r#"{"zen":"hi"}"#, SECRET))
        .await
        .unwrap();
    assert_eq!(ping.status(), StatusCode::ACCEPTED);
    let (_, list) = call(
        &state,
        "GET",
        "/api/v1/runs",
        Some(&token("read")),
        None,
        vec![],
    )
    .await;
    assert_eq!(list["runs"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn openapi_lists_every_route_and_metrics_are_exposed() {
    let dir = tempfile::tempdir().unwrap();
    let state = state(dir.path()).await;
    let (status, doc) = call(&state, "GET", "/api/v1/openapi.json", None, None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (method, path, _, _, _, _) in gate_server::openapi::ROUTES {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} documented"
        );
    }
    assert!(doc["components"]["schemas"]["SubmitRun"].is_object());
    let response = gate_server::app::app(state.clone())
        .oneshot(
            Request::get("/metrics")
                .header("authorization", format!("Bearer {}", token("read")))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let text = String::from_utf8(
        to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    for name in [
        "gate_queue_jobs",
        "gate_browser_pool_busy",
        "gate_http_requests_total",
    ] {
        assert!(text.contains(name), "{name} in\n{text}");
    }
    let (status, _) = call(&state, "GET", "/readyz", None, None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
}
