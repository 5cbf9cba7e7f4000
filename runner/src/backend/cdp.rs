//! The remote backend: browsers gate did not start, reached through DevTools endpoints (a
//! Chromium started with `--remote-debugging-port`, browserless, Selenium Grid 4, a Kubernetes
//! service). Each worker holds one connection (a session) on one endpoint; sessions are spread
//! over the endpoints within each endpoint's limit. An endpoint that fails is taken out for a
//! while (longer each time it fails again) and the worker's scenario is retried elsewhere.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, Notify};

use super::connect::Connection;

/// One endpoint and how many sessions it takes at once.
#[derive(Debug, Clone, PartialEq)]
pub struct CdpEndpoint {
    /// `http(s)://host:port` (discovered through `/json/version`) or a `ws(s)://` URL.
    pub url: String,
    pub sessions: usize,
}

/// Sessions per endpoint when the option does not say.
pub const DEFAULT_SESSIONS: usize = 4;

impl FromStr for CdpEndpoint {
    type Err = String;

    /// `URL` or `URL,sessions=N`.
    fn from_str(s: &str) -> Result<CdpEndpoint, String> {
        let (url, rest) = match s.split_once(',') {
            Some((url, rest)) => (url, Some(rest)),
            None => (s, None),
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https" | "ws" | "wss")
            || parsed.host().is_none()
            || !url.contains("://")
        {
            return Err(format!(
                "`{url}`: use an http://host:port DevTools endpoint or a ws:// WebSocket URL"
            ));
        }
        let sessions = match rest {
            None => DEFAULT_SESSIONS,
            Some(rest) => rest
                .strip_prefix("sessions=")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    format!("`{rest}`: expected `sessions=N` with N ≥ 1 after the URL")
                })?,
        };
        Ok(CdpEndpoint {
            url: url.trim_end_matches('/').to_string(),
            sessions,
        })
    }
}

impl fmt::Display for CdpEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},sessions={}", self.url, self.sessions)
    }
}

/// The endpoints of a pool and their state.
pub(crate) struct Endpoints {
    state: Mutex<Vec<State>>,
    freed: Notify,
    http: reqwest::Client,
    /// How long to wait for a free session before reporting that none is available.
    wait_limit: Duration,
}

struct State {
    endpoint: CdpEndpoint,
    active: usize,
    /// Out of rotation until then, after a failure.
    down_until: Option<Instant>,
    failures: u32,
}

/// A session on an endpoint: the connection and the slot it holds.
pub(crate) struct RemoteBrowser {
    pub conn: Connection,
    index: usize,
    endpoints: Arc<Endpoints>,
}

impl Endpoints {
    pub fn new(
        endpoints: Vec<CdpEndpoint>,
        http: reqwest::Client,
        wait_limit: Duration,
    ) -> Endpoints {
        Endpoints {
            state: Mutex::new(
                endpoints
                    .into_iter()
                    .map(|endpoint| State {
                        endpoint,
                        active: 0,
                        down_until: None,
                        failures: 0,
                    })
                    .collect(),
            ),
            freed: Notify::new(),
            http,
            wait_limit,
        }
    }

    /// Opens a session on the least loaded endpoint that is up and has room, trying the others
    /// when one does not answer. Waits for a free slot when all are busy.
    pub async fn connect(self: &Arc<Self>) -> Result<RemoteBrowser, String> {
        let started = Instant::now();
        let mut errors: Vec<String> = Vec::new();
        loop {
            let notified = self.freed.notified();
            match self.reserve().await {
                Some(index) => {
                    let url = self.state.lock().await[index].endpoint.url.clone();
                    match Connection::open(&url, &self.http).await {
                        Ok(conn) => {
                            self.state.lock().await[index].failures = 0;
                            return Ok(RemoteBrowser {
                                conn,
                                index,
                                endpoints: self.clone(),
                            });
                        }
                        Err(err) => {
                            self.release(index, true).await;
                            errors.push(err);
                        }
                    }
                }
                None => {
                    if started.elapsed() >= self.wait_limit {
                        let detail = if errors.is_empty() {
                            "every session is in use or every endpoint is out".to_string()
                        } else {
                            errors.join("; ")
                        };
                        return Err(format!("no CDP endpoint could take a session: {detail}"));
                    }
                    // A slot frees up, or an endpoint comes back after its pause.
                    let next_up = self.next_recovery().await;
                    let wait = next_up
                        .unwrap_or(Duration::from_secs(1))
                        .min(Duration::from_secs(1));
                    let _ = tokio::time::timeout(wait, notified).await;
                }
            }
        }
    }

    /// Takes a slot on the best endpoint, if any has room.
    async fn reserve(&self) -> Option<usize> {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        let best = state
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.active < s.endpoint.sessions && s.down_until.is_none_or(|t| t <= now)
            })
            .min_by(|(_, a), (_, b)| {
                let load = |s: &State| s.active as f64 / s.endpoint.sessions as f64;
                load(a).total_cmp(&load(b))
            })
            .map(|(i, _)| i)?;
        state[best].active += 1;
        Some(best)
    }

    async fn next_recovery(&self) -> Option<Duration> {
        let now = Instant::now();
        self.state
            .lock()
            .await
            .iter()
            .filter_map(|s| s.down_until.map(|t| t.saturating_duration_since(now)))
            .min()
    }

    /// Frees a slot; `failed` takes the endpoint out for a pause that doubles with each failure
    /// in a row (1 s up to a minute).
    async fn release(&self, index: usize, failed: bool) {
        {
            let mut state = self.state.lock().await;
            let s = &mut state[index];
            s.active = s.active.saturating_sub(1);
            if failed {
                s.failures += 1;
                let pause =
                    Duration::from_secs(1 << (s.failures - 1).min(6)).min(Duration::from_secs(60));
                s.down_until = Some(Instant::now() + pause);
                tracing::warn!(endpoint = %s.endpoint.url, "CDP endpoint out of rotation for {}s", pause.as_secs());
            }
        }
        self.freed.notify_waiters();
    }
}

impl RemoteBrowser {
    /// Ends the session. The remote browser stays up (it is not ours); `failed` marks the
    /// endpoint as suspect so new sessions go elsewhere for a while.
    pub async fn close(self, failed: bool) {
        self.conn.disconnect().await;
        self.endpoints.release(self.index, failed).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_syntax() {
        let e: CdpEndpoint = "http://127.0.0.1:9222/".parse().unwrap();
        assert_eq!(e.url, "http://127.0.0.1:9222");
        assert_eq!(e.sessions, DEFAULT_SESSIONS);
        let e: CdpEndpoint = "ws://127.0.0.1:3000?token=x,sessions=8".parse().unwrap();
        assert_eq!(e.url, "ws://127.0.0.1:3000?token=x");
        assert_eq!(e.sessions, 8);
        assert!("127.0.0.1:9222".parse::<CdpEndpoint>().is_err());
        assert!(
            "ftp://x"
                .parse::<CdpEndpoint>()
                .unwrap_err()
                .contains("http://host:port")
        );
        assert!(
            "http://x,sessions=0"
                .parse::<CdpEndpoint>()
                .unwrap_err()
                .contains("sessions=N")
        );
        assert!("http://x,limit=3".parse::<CdpEndpoint>().is_err());
    }

    #[tokio::test]
    async fn sessions_spread_and_a_failed_endpoint_is_skipped() {
        let endpoints = Endpoints::new(
            vec![
                "http://127.0.0.1:1,sessions=2".parse().unwrap(),
                "http://127.0.0.1:2,sessions=2".parse().unwrap(),
            ],
            reqwest::Client::new(),
            Duration::from_secs(1),
        );
        let a = endpoints.reserve().await.unwrap();
        let b = endpoints.reserve().await.unwrap();
        assert_ne!(a, b, "the second session goes to the idle endpoint");
        endpoints.release(a, true).await;
        // `a` is out: both remaining slots are on `b`.
        assert_eq!(endpoints.reserve().await, Some(b));
        assert_eq!(endpoints.reserve().await, None, "b is full and a is out");
    }
}
