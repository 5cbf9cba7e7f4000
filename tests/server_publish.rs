//! Verdicts are posted as GitHub commit statuses, retried when the API fails. GitHub cannot be
//! reached from here, so a local fake speaks its wire format: `POST
//! /repos/{owner}/{repo}/statuses/{sha}` with the bearer token, JSON body and API headers.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::events::EventStream;
use common::server::*;
use common::*;

/// The fake's record, and a signal for each request it answers.
#[derive(Default)]
struct Shared {
    fake: Mutex<Fake>,
    answered: Condvar,
}

#[derive(Default)]
struct Fake {
    /// (sha, headers we check, body) of every accepted status.
    received: Vec<(String, String, serde_json::Value)>,
    /// Answer the first requests with 502, as an API having a bad moment.
    fail_first: usize,
    attempts: usize,
}

async fn statuses(
    State(shared): State<Arc<Shared>>,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let mut fake = shared.fake.lock().unwrap();
    shared.answered.notify_all();
    fake.attempts += 1;
    if fake.attempts <= fake.fail_first {
        return (
            StatusCode::BAD_GATEWAY,
            "{\"message\":\"Server Error\"}".into(),
        );
    }
    assert_eq!((owner.as_str(), repo.as_str()), ("acme", "shop"));
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (auth, accept, version) = (
        header("authorization"),
        header("accept"),
        header("x-github-api-version"),
    );
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
    let shared = Arc::new(Shared {
        fake: Mutex::new(Fake {
            fail_first: 1,
            ..Fake::default()
        }),
        answered: Condvar::new(),
    });
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let state = shared.clone();
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
    let events = EventStream::open(&server);
    let commit = sha("published");
    assert_eq!(submit(&server, &commit, &shop.base_url, &[]).0, Some(0));
    let limit = Duration::from_secs(180);
    assert_eq!(wait_after(&events, &server, &commit, limit).0, Some(0));

    let posted = |fake: &Fake| {
        fake.received
            .iter()
            .any(|(s, _, b)| *s == commit && b["state"] == "success")
    };
    let (fake, wait) = shared
        .answered
        .wait_timeout_while(
            shared.fake.lock().unwrap(),
            Duration::from_secs(60),
            |fake| !posted(fake),
        )
        .unwrap();
    assert!(
        !wait.timed_out(),
        "no success status posted: {:?}",
        fake.received
    );
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
