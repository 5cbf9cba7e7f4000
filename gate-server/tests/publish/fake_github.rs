//! A fake of GitHub's commit status endpoint, `POST /repos/{owner}/{repo}/statuses/{sha}`,
//! speaking its wire format: it checks the bearer token, the API headers and the JSON body
//! the way GitHub does (401, 404, 422 with GitHub's error bodies), answers 201 with a status
//! object, and can be told to fail the next requests (502, 429 with `Retry-After`, 403 with
//! an exhausted rate limit).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

pub const OWNER: &str = "acme";
pub const REPO: &str = "shop";
pub const TOKEN: &str = "ghp_fake0123456789";

/// An answer to give instead of accepting a status.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    BadGateway,
    /// 429 with `Retry-After: seconds`.
    TooManyRequests(u64),
    /// 403 with `X-RateLimit-Remaining: 0` and a reset one second ahead (a primary limit).
    RateLimitExhausted,
}

/// A request the fake accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub sha: String,
    pub body: Value,
    pub user_agent: String,
}

#[derive(Default)]
struct Inner {
    failures: VecDeque<Failure>,
    received: Vec<Received>,
    attempts: usize,
}

#[derive(Clone)]
pub struct FakeGitHub {
    /// Base URL, to use as `api-url`.
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    answered: Arc<tokio::sync::Notify>,
}

impl FakeGitHub {
    /// Starts on a free loopback port, in the current runtime.
    pub async fn start() -> FakeGitHub {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let answered = Arc::new(tokio::sync::Notify::new());
        let app = axum::Router::new()
            .route("/repos/{owner}/{repo}/statuses/{sha}", post(statuses))
            .with_state((inner.clone(), answered.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeGitHub {
            url,
            inner,
            answered,
        }
    }

    /// The next requests get these answers, in order.
    pub fn fail_next(&self, failures: &[Failure]) {
        self.inner.lock().unwrap().failures.extend(failures);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Requests answered, failed ones included.
    pub fn attempts(&self) -> usize {
        self.inner.lock().unwrap().attempts
    }

    /// Waits until `n` requests have been answered (or panics after `limit`).
    pub async fn wait_for_attempts(&self, n: usize, limit: Duration) {
        tokio::time::timeout(limit, async {
            loop {
                let answered = self.answered.notified();
                if self.attempts() >= n {
                    return;
                }
                answered.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{n} requests expected, {} came", self.attempts()));
    }
}

type Shared = (Arc<Mutex<Inner>>, Arc<tokio::sync::Notify>);

async fn statuses(
    State((inner, answered)): State<Shared>,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let response = answer(&inner, &owner, &repo, sha, &headers, &body);
    answered.notify_waiters();
    response
}

fn answer(
    inner: &Mutex<Inner>,
    owner: &str,
    repo: &str,
    sha: String,
    headers: &HeaderMap,
    body: &str,
) -> Response {
    let mut inner = inner.lock().unwrap();
    inner.attempts += 1;
    if let Some(failure) = inner.failures.pop_front() {
        return fail(failure);
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    if header("authorization") != format!("Bearer {TOKEN}") {
        return github_error(StatusCode::UNAUTHORIZED, "Bad credentials");
    }
    if (owner, repo) != (OWNER, REPO) {
        return github_error(StatusCode::NOT_FOUND, "Not Found");
    }
    // GitHub would answer without these too; the fake insists, to hold the client to the
    // documented request.
    if header("accept") != "application/vnd.github+json"
        || header("x-github-api-version") != "2022-11-28"
        || !header("content-type").starts_with("application/json")
        || !header("user-agent").starts_with("gate/")
    {
        return github_error(StatusCode::BAD_REQUEST, "fake: missing API headers");
    }
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return github_error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let state_ok = matches!(
        json["state"].as_str(),
        Some("pending" | "success" | "failure" | "error")
    );
    let description_ok = json["description"]
        .as_str()
        .is_some_and(|d| d.chars().count() <= 140);
    let target_ok = json["target_url"].is_null() || json["target_url"].is_string();
    let valid_sha = sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    if !(state_ok && description_ok && target_ok && json["context"].is_string() && valid_sha) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "message": "Validation Failed",
                "errors": [{ "resource": "Status", "code": "custom", "message": "invalid status" }],
                "documentation_url": "https://docs.github.com/rest/commits/statuses#create-a-commit-status",
                "status": "422",
            })),
        )
            .into_response();
    }
    let id = inner.received.len() + 1;
    inner.received.push(Received {
        sha: sha.clone(),
        body: json.clone(),
        user_agent: header("user-agent"),
    });
    let status = json!({
        "url": format!("https://api.github.com/repos/{OWNER}/{REPO}/statuses/{sha}"),
        "avatar_url": "https://github.com/images/error/hubot_happy.gif",
        "id": id,
        "node_id": "MDY6U3RhdHVzMQ==",
        "state": json["state"],
        "description": json["description"],
        "target_url": json["target_url"],
        "context": json["context"],
        "created_at": "2026-11-26T10:05:00Z",
        "updated_at": "2026-11-26T10:05:00Z",
        "creator": { "login": "gate-bot", "id": 1, "type": "Bot" },
    });
    (StatusCode::CREATED, Json(status)).into_response()
}

fn fail(failure: Failure) -> Response {
    match failure {
        Failure::BadGateway => {
            (StatusCode::BAD_GATEWAY, "<html>502 Bad Gateway</html>").into_response()
        }
        Failure::TooManyRequests(seconds) => {
            let mut response = github_error(
                StatusCode::TOO_MANY_REQUESTS,
                "You have exceeded a secondary rate limit.",
            );
            response
                .headers_mut()
                .insert("retry-after", seconds.to_string().parse().unwrap());
            response
        }
        Failure::RateLimitExhausted => {
            let reset = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let mut response = github_error(StatusCode::FORBIDDEN, "API rate limit exceeded.");
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-limit", "5000".parse().unwrap());
            headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
            headers.insert("x-ratelimit-reset", reset.to_string().parse().unwrap());
            response
        }
    }
}

fn github_error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.as_str(),
    });
    (status, Json(body)).into_response()
}
