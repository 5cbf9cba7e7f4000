//! The receivers of the outboxes, down for a while of simulated time: a GitHub-compatible
//! commit status endpoint (`POST /repos/{owner}/{repo}/statuses/{sha}`, bearer token, 201)
//! and a Slack-compatible incoming webhook (`POST /slack/hook`, 200 `ok`), on one loopback
//! port. Before [`Outage::dropping_until`] every connection is closed unanswered (as by a
//! crashed proxy); then, before [`Outage::failing_until`], every request gets 503; then they
//! accept. Each accepted delivery is logged with the simulated time it arrived.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use gate_server::clock::Clock;
use serde_json::Value;

pub const OWNER: &str = "acme";
pub const REPO: &str = "shop";
pub const TOKEN: &str = "ghp_outage0123456789";

/// When the receivers are down, on the simulated clock (unix ms).
#[derive(Debug, Clone)]
pub struct Outage {
    pub clock: Clock,
    pub dropping_until: i64,
    pub failing_until: i64,
}

/// A delivery the receivers accepted.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// Simulated unix ms.
    pub at_ms: i64,
    /// `status` or `slack`.
    pub kind: &'static str,
    /// The commit of a status; empty for a webhook post.
    pub sha: String,
    /// A status's JSON body, or the webhook's.
    pub body: Value,
}

#[derive(Default)]
struct Log {
    accepted: Mutex<Vec<Accepted>>,
    dropped: AtomicUsize,
    unavailable: AtomicUsize,
}

pub struct Receivers {
    /// `http://127.0.0.1:port`.
    pub url: String,
    log: Arc<Log>,
}

impl Receivers {
    /// Starts on a free loopback port, in the current runtime (the task ends with it).
    pub async fn start(outage: Outage) -> Receivers {
        let log = Arc::new(Log::default());
        let state = (outage.clone(), log.clone());
        let app = axum::Router::new()
            .route("/repos/{owner}/{repo}/statuses/{sha}", post(status))
            .route("/slack/hook", post(slack))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let listener = Dropping {
            inner: listener,
            outage,
            log: log.clone(),
        };
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receivers { url, log }
    }

    pub fn accepted(&self) -> Vec<Accepted> {
        self.log.accepted.lock().unwrap().clone()
    }

    /// Connections closed unanswered, and requests answered 503.
    pub fn refused(&self) -> (usize, usize) {
        (
            self.log.dropped.load(Ordering::SeqCst),
            self.log.unavailable.load(Ordering::SeqCst),
        )
    }
}

/// A listener that closes connections at once while the outage says so.
struct Dropping {
    inner: tokio::net::TcpListener,
    outage: Outage,
    log: Arc<Log>,
}

impl axum::serve::Listener for Dropping {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // axum's own accept for a TCP listener, which rides out transient errors.
            let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
            if self.outage.clock.now_ms() < self.outage.dropping_until {
                self.log.dropped.fetch_add(1, Ordering::SeqCst);
                drop(stream);
                continue;
            }
            return (stream, addr);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

type Shared = (Outage, Arc<Log>);

/// 503 while the outage lasts; otherwise `None`, and the request is taken.
fn unavailable((outage, log): &Shared) -> Option<Response> {
    if outage.clock.now_ms() < outage.failing_until {
        log.unavailable.fetch_add(1, Ordering::SeqCst);
        return Some((StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response());
    }
    None
}

/// Logs an accepted delivery; false (and nothing logged) when `body` is not JSON.
fn accept((outage, log): &Shared, kind: &'static str, sha: String, body: &str) -> bool {
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    log.accepted.lock().unwrap().push(Accepted {
        at_ms: outage.clock.now_ms(),
        kind,
        sha,
        body,
    });
    true
}

fn not_json() -> Response {
    (StatusCode::BAD_REQUEST, "Problems parsing JSON").into_response()
}

async fn status(
    State(shared): State<Shared>,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refusal) = unavailable(&shared) {
        return refusal;
    }
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    if authorization != Some(&format!("Bearer {TOKEN}")) {
        return (StatusCode::UNAUTHORIZED, "Bad credentials").into_response();
    }
    if (owner.as_str(), repo.as_str()) != (OWNER, REPO) {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    }
    if !accept(&shared, "status", sha, &body) {
        return not_json();
    }
    (
        StatusCode::CREATED,
        axum::Json(serde_json::json!({"id": 1})),
    )
        .into_response()
}

async fn slack(State(shared): State<Shared>, body: String) -> Response {
    if let Some(refusal) = unavailable(&shared) {
        return refusal;
    }
    if !accept(&shared, "slack", String::new(), &body) {
        return not_json();
    }
    (StatusCode::OK, "ok").into_response()
}
