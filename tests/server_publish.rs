//! Verdicts are posted as GitHub commit statuses, retried when the API fails. GitHub cannot be
//! reached from here, so a local fake speaks its wire format: `POST
//! /repos/{owner}/{repo}/statuses/{sha}` with the bearer token, JSON body and API headers.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::server::*;
use common::*;

#[derive(Default)]
struct Fake {
    /// (sha, headers we check, body) of every accepted status.
    received: Vec<(String, String, serde_json::Value)>,
    /// Answer the first requests with 502, as an API having a bad moment.
    fail_first: usize,
    attempts: usize,
}

async fn statuses(
    State(fake): State<Arc<Mutex<Fake>>>,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let mut fake = fake.lock().unwrap();
    fake.attempts += 1;
    if fake.attempts <= fake.fail_first {
        return (
            StatusCode::BAD_GATEWAY,
            "{\"message\":\"Server Error\"}".into(),
        );
    }
    assert_eq!((owner.as_str(), repo.as_str()), ("acme", "shop"));
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let version = headers
        .get("x-github-api-version")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    fake.received.push((
        sha.clone(),
        format!("{auth}|{accept}|{version}"),
        json.clone(),
    ));
    (StatusCode::CREATED, serde_json::json!({ "id": fake.received.len(), "state": json["state"], "context": json["context"] }).to_string())
}

#[test]
fn verdicts_are_posted_as_commit_statuses_with_retries() {
    let fake = Arc::new(Mutex::new(Fake {
        fail_first: 1,
        ..Fake::default()
    }));
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let state = fake.clone();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let app = axum::Router::new()
                    .route("/repos/{owner}/{repo}/statuses/{sha}", post(statuses))
                    .with_state(state);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                url_tx
                    .send(format!("http://{}", listener.local_addr().unwrap()))
                    .unwrap();
                axum::serve(listener, app).await.unwrap();
            });
    });
    let api = url_rx.recv().unwrap();

    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        scenarios: repo().join("tests/scenarios/server-tiny"),
        extra: format!(
            "[publish]\napi-url = \"{api}\"\nrepository = \"acme/shop\"\ntoken-env = \"FAKE_GITHUB_TOKEN\"\n"
        ),
        ..ServerSpec::sqlite(tmp.path())
    };
    // SAFETY of the secret: the token only goes to the child's environment.
    let server = Server::start_with_env(
        tmp.path(),
        &spec,
        &[("FAKE_GITHUB_TOKEN", "ghp_fake_token")],
    );
    let commit = sha("published");
    assert_eq!(submit(&server, &commit, &shop.base_url, &[]).0, Some(0));
    assert_eq!(wait(&server, &commit, "3m").0, Some(0));

    let started = Instant::now();
    loop {
        let done = fake
            .lock()
            .unwrap()
            .received
            .iter()
            .any(|(s, _, b)| *s == commit && b["state"] == "success");
        if done {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no success status posted: {:?}",
            fake.lock().unwrap().received
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let fake = fake.lock().unwrap();
    assert!(
        fake.attempts > fake.received.len(),
        "the failed first attempt was retried"
    );
    let states: Vec<&str> = fake
        .received
        .iter()
        .map(|(_, _, b)| b["state"].as_str().unwrap())
        .collect();
    // The pending status met the failing API; whether its retry came before the verdict or was
    // superseded by it, nothing may follow the final verdict.
    assert_eq!(states.last(), Some(&"success"), "{states:?}");
    assert!(
        states.iter().all(|s| ["pending", "success"].contains(s)),
        "{states:?}"
    );
    let (_, headers, body) = fake.received.last().unwrap();
    assert_eq!(
        headers,
        "Bearer ghp_fake_token|application/vnd.github+json|2022-11-28"
    );
    assert_eq!(body["context"], "gate/scenarios");
    assert!(
        body["target_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/commits/{commit}")),
        "{body}"
    );
}
