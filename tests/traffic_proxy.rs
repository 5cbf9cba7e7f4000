//! `gate-traffic`'s [`ProxyRouter`] driving the real `gate proxy` process: every call goes
//! through the driver (never raw admin HTTP), every request through the proxy's traffic port
//! to two axum upstreams the test owns. Proves that the weights split traffic, that weight 0
//! keeps everyone off the canary (sticky cookie and force header included), that
//! [`Sample::since`] deltas are what the clients saw, that the watchdog falls back by itself,
//! and that a restart changes the instance so deltas across it are refused.
//!
//! Everything listens on 127.0.0.1 port 0; readiness and the fallback are waited for as
//! conditions with a deadline, never with a fixed sleep. Processes are killed when dropped.

#![expect(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use gate_proxy::DEFAULT_COOKIE;
use gate_proxy::api::VERSION_HEADER;
use gate_traffic::{Backend, ProxyConfig, ProxyRouter, Sample, TrafficRouter};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

const TOKEN: &str = "traffic-proxy-test-token-81c4";

/// How long anything may take to become ready, or to happen (the fallback).
const DEADLINE: Duration = Duration::from_secs(30);

/// A running `gate proxy`, started with `--listen` and `--admin` on port 0. Killed (and
/// reaped) when dropped.
struct GateProxy {
    child: Child,
    /// Where users connect: `http://127.0.0.1:PORT`.
    url: String,
    admin: String,
    args: Vec<String>,
}

impl GateProxy {
    async fn start(dir: &Path, args: Vec<String>) -> GateProxy {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gate"))
            .current_dir(dir)
            .args(["proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
            .args(&args)
            .env("GATE_PROXY_TOKEN", TOKEN)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[gate proxy] {line}");
            }
        });
        // The reader keeps draining stdout after the ready line, so the proxy never blocks on
        // a full pipe.
        let stdout = child.stdout.take().unwrap();
        let (ready, ready_line) = oneshot::channel();
        std::thread::spawn(move || {
            let mut ready = Some(ready);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match line.strip_prefix("gate proxy listening on ") {
                    Some(rest) => {
                        if let Some(ready) = ready.take() {
                            let _ = ready.send(rest.to_string());
                        }
                    }
                    None => eprintln!("[gate proxy stdout] {line}"),
                }
            }
        });
        let line = tokio::time::timeout(DEADLINE, ready_line)
            .await
            .unwrap_or_else(|_| panic!("gate proxy ready within {DEADLINE:?}"))
            .unwrap_or_else(|_| {
                let status = child.try_wait().unwrap();
                panic!("gate proxy exited ({status:?}) before it was ready: see its stderr")
            });
        // http://A (admin http://B)
        let (url, admin) = line.trim().split_once(" (admin ").unwrap();
        GateProxy {
            child,
            url: url.to_string(),
            admin: admin.trim_end_matches(')').to_string(),
            args,
        }
    }

    /// A driver for this process's admin API.
    fn router(&self) -> ProxyRouter {
        ProxyRouter::new(&ProxyConfig::new(&self.admin, TOKEN)).unwrap()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the proxy (no drain, as a crash would) and starts it again with the same flags.
    /// Its addresses are new (port 0 again).
    async fn restart(&mut self, dir: &Path) {
        self.kill();
        let again = GateProxy::start(dir, std::mem::take(&mut self.args)).await;
        // `self`'s child is reaped already; the new one is dropped (killed) with `self`.
        *self = again;
    }
}

impl Drop for GateProxy {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The flags for versions `v1` (stable) and `v2` at weight 0.
fn flags(v1: &Upstream, v2: &Upstream, state_file: Option<&Path>) -> Vec<String> {
    let mut flags = vec![
        "--version".to_string(),
        format!("v1={}", v1.url),
        "--version".to_string(),
        format!("v2={}", v2.url),
        "--weight".to_string(),
        "v2=0".to_string(),
    ];
    if let Some(file) = state_file {
        flags.extend(["--state".to_string(), file.display().to_string()]);
    }
    flags
}

/// An upstream that answers every request with its version's name, with status 200 or, once
/// told, another; it counts the requests it received.
struct Upstream {
    version: String,
    url: String,
    status: Arc<AtomicU16>,
    hits: Arc<AtomicU64>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

type UpstreamState = (String, Arc<AtomicU16>, Arc<AtomicU64>);

impl Upstream {
    async fn start(version: &str) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let status = Arc::new(AtomicU16::new(200));
        let hits = Arc::new(AtomicU64::new(0));
        let app = axum::Router::new()
            .fallback(
                |State((name, status, hits)): State<UpstreamState>| async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    let code = StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap();
                    (code, name)
                },
            )
            .with_state((version.to_string(), status.clone(), hits.clone()));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Upstream {
            version: version.to_string(),
            url,
            status,
            hits,
            stop: Some(stop),
            task: Some(task),
        }
    }

    fn backend(&self) -> Backend {
        Backend::new(&self.version, &self.url)
    }

    fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    /// Answers `status` from now on.
    fn fail_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Stops listening and closes its connections (the proxy's pooled ones too): from then
    /// on, connecting to it is refused.
    async fn close(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// A client without a cookie jar: each request carries only the cookie the test gives it.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// What one request through the proxy got back.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// The proxy's `x-gate-version`: the version it sent the request to (on its own 502s too).
    version: String,
    body: String,
    /// The value of the sticky cookie the response set, if it set one.
    sticky: Option<String>,
}

async fn get(client: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = client.get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let version = response
        .headers()
        .get(VERSION_HEADER)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let prefix = format!("{DEFAULT_COOKIE}=");
    let sticky = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(prefix.as_str()))
        .map(|v| v.split(';').next().unwrap_or("").to_string());
    Answer {
        status,
        version,
        body: response.text().await.unwrap(),
        sticky,
    }
}

/// What the clients saw, per version the proxy named: how many answers of each status.
#[derive(Debug, Default)]
struct Seen {
    by_version: BTreeMap<String, BTreeMap<u16, u64>>,
}

impl Seen {
    fn add(&mut self, answer: &Answer) {
        *self
            .by_version
            .entry(answer.version.clone())
            .or_default()
            .entry(answer.status)
            .or_default() += 1;
    }

    fn requests(&self, version: &str) -> u64 {
        self.by_version.get(version).map_or(0, |s| s.values().sum())
    }

    fn status(&self, version: &str, status: u16) -> u64 {
        self.by_version
            .get(version)
            .and_then(|s| s.get(&status))
            .copied()
            .unwrap_or(0)
    }

    fn errors(&self, version: &str) -> u64 {
        self.by_version.get(version).map_or(0, |s| {
            s.iter()
                .filter(|(status, _)| **status >= 500)
                .map(|(_, n)| n)
                .sum()
        })
    }
}

/// Asserts that `hits` of `n` independent requests fit a share `p`, within 4.5 standard
/// deviations of the binomial (a false failure about once in 150 000 runs).
fn assert_share(what: &str, hits: u64, n: u64, p: f64) {
    let mean = n as f64 * p;
    let spread = 4.5 * (n as f64 * p * (1.0 - p)).sqrt();
    assert!(
        (hits as f64 - mean).abs() <= spread.max(1.0),
        "{what}: {hits} of {n}, expected {mean} ± {spread:.1}"
    );
}

async fn sample(router: &ProxyRouter) -> Sample {
    router.sample("v1", Some("v2")).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weights_split_traffic_and_weight_zero_keeps_cookie_and_force_header_off_the_canary() {
    let tmp = tempfile::tempdir().unwrap();
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = GateProxy::start(tmp.path(), flags(&v1, &v2, None)).await;
    let router = proxy.router();
    let client = client();

    router
        .route(&v1.backend(), Some(&v2.backend()), 5)
        .await
        .unwrap();
    // 2,000 new users (no cookie), from a few clients at once to save time; each draw is
    // independent of the others either way.
    let (clients, per_client) = (4, 500);
    let mut users = JoinSet::new();
    for _ in 0..clients {
        let (client, url) = (client.clone(), proxy.url.clone());
        users.spawn(async move {
            let mut answers = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                answers.push(get(&client, &url, &[]).await);
            }
            answers
        });
    }
    let answers: Vec<Answer> = users.join_all().await.into_iter().flatten().collect();
    let mut sticky_v2 = None;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body, answer.version, "the header names who answered");
        assert_eq!(answer.sticky.as_deref(), Some(answer.version.as_str()));
        if answer.version == "v2" {
            sticky_v2 = answer.sticky.clone();
        }
    }
    let n = (clients * per_client) as u64;
    assert_eq!(v1.hits() + v2.hits(), n);
    assert_share("requests drawn for v2 at weight 5", v2.hits(), n, 0.05);

    let cookie = format!("{DEFAULT_COOKIE}={}", sticky_v2.unwrap());
    let (header, value) = router.force_header("v2").unwrap();
    let with_cookie = [("cookie", cookie.as_str())];
    let forced = [(header, value.as_str())];
    let both = [("cookie", cookie.as_str()), (header, value.as_str())];
    // Above weight 0 the cookie and the header reach v2, so what follows can fail.
    for headers in [&with_cookie[..], &forced, &both] {
        let answer = get(&client, &proxy.url, headers).await;
        assert_eq!((answer.status, answer.body.as_str()), (200, "v2"));
    }

    router
        .route(&v1.backend(), Some(&v2.backend()), 0)
        .await
        .unwrap();
    let v2_before = v2.hits();
    let before = sample(&router).await;
    for headers in [&with_cookie[..], &forced, &both] {
        for _ in 0..100 {
            let answer = get(&client, &proxy.url, headers).await;
            assert_eq!(
                (answer.status, answer.body.as_str(), answer.version.as_str()),
                (200, "v1", "v1"),
                "at weight 0 with {headers:?}"
            );
        }
    }
    assert_eq!(v2.hits(), v2_before, "no request reached v2 at weight 0");
    let interval = sample(&router).await.since(&before).unwrap();
    assert_eq!(
        (interval.stable.requests, interval.canary.requests),
        (300, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_deltas_are_the_requests_5xx_and_connect_errors_clients_saw() {
    let tmp = tempfile::tempdir().unwrap();
    let (v1, mut v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = GateProxy::start(tmp.path(), flags(&v1, &v2, None)).await;
    let router = proxy.router();
    let client = client();
    router
        .route(&v1.backend(), Some(&v2.backend()), 50)
        .await
        .unwrap();
    // Some traffic before the baseline, so that the deltas are not just the totals.
    for _ in 0..20 {
        get(&client, &proxy.url, &[]).await;
    }
    let baseline = sample(&router).await;
    let state_before = router.state().await.unwrap();

    let mut seen = Seen::default();
    let send = async |n: usize, seen: &mut Seen| {
        for _ in 0..n {
            seen.add(&get(&client, &proxy.url, &[]).await);
        }
    };
    send(100, &mut seen).await;
    v2.fail_with(500);
    send(100, &mut seen).await;
    v2.close().await;
    send(100, &mut seen).await;

    let interval = sample(&router).await.since(&baseline).unwrap();
    let state_after = router.state().await.unwrap();
    assert_eq!(seen.requests("v1") + seen.requests("v2"), 300, "{seen:?}");
    assert_eq!(seen.errors("v1"), 0, "{seen:?}");
    let (s500, s502) = (seen.status("v2", 500), seen.status("v2", 502));
    assert!(
        s500 > 0 && s502 > 0,
        "v2 answered 500s and was unreachable: {seen:?}"
    );
    assert_eq!(seen.errors("v2"), s500 + s502, "{seen:?}");

    assert_eq!(
        (interval.stable.requests, interval.stable.errors),
        (seen.requests("v1"), 0)
    );
    assert_eq!(
        (interval.canary.requests, interval.canary.errors),
        (seen.requests("v2"), s500 + s502),
        "{seen:?}"
    );
    // The proxy answered the 502s itself: they are connection errors (a few may be response
    // errors, on a pooled connection the closing upstream cut), not 5xx of the version, and
    // only the answers v2 sent are timed.
    let counters = |state: &gate_traffic::proxy::api::State| state.versions[1].counters.clone();
    let (then, now) = (counters(&state_before), counters(&state_after));
    assert_eq!(state_after.versions[1].name, "v2");
    assert!(now.connect_errors > then.connect_errors, "{now:?}");
    assert_eq!(
        (now.connect_errors + now.response_errors) - (then.connect_errors + then.response_errors),
        s502
    );
    assert_eq!(
        now.responses.server_error - then.responses.server_error,
        s500
    );
    let latency = interval.canary.latency.unwrap();
    assert_eq!(latency.count(), seen.requests("v2") - s502);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_controller_makes_the_proxy_fall_back_and_all_traffic_reach_stable() {
    let tmp = tempfile::tempdir().unwrap();
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let proxy = GateProxy::start(tmp.path(), flags(&v1, &v2, None)).await;
    let router = proxy.router();
    let client = client();
    router
        .route(&v1.backend(), Some(&v2.backend()), 50)
        .await
        .unwrap();
    let baseline = sample(&router).await;
    assert!(baseline.fallbacks.is_empty());
    assert!(!router.state().await.unwrap().watchdog.armed);

    // One heartbeat, then silence, as from a controller that died.
    router.heartbeat(Duration::from_millis(300)).await.unwrap();
    let deadline = Instant::now() + DEADLINE;
    let fallen = loop {
        let sample = sample(&router).await;
        if !sample.fallbacks.is_empty() {
            break sample;
        }
        assert!(Instant::now() < deadline, "a fallback within {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let interval = fallen.since(&baseline).unwrap();
    assert_eq!(interval.fallbacks.len(), 1, "{:?}", interval.fallbacks);
    assert_eq!(interval.fallbacks[0].to, "v1");
    assert!(
        interval.fallbacks[0].reason.contains("no heartbeat"),
        "{:?}",
        interval.fallbacks[0]
    );
    let state = router.state().await.unwrap();
    let weights: Vec<_> = state
        .versions
        .iter()
        .map(|v| (v.name.as_str(), v.weight))
        .collect();
    assert_eq!(weights, [("v1", 100), ("v2", 0)]);
    assert!(!state.watchdog.armed, "the fallback disarms");

    let v2_before = v2.hits();
    let cookie = format!("{DEFAULT_COOKIE}=v2");
    let (header, value) = router.force_header("v2").unwrap();
    for headers in [
        &[][..],
        &[("cookie", cookie.as_str())],
        &[(header, value.as_str())],
    ] {
        for _ in 0..50 {
            let answer = get(&client, &proxy.url, headers).await;
            assert_eq!((answer.status, answer.body.as_str()), (200, "v1"));
        }
    }
    assert_eq!(
        v2.hits(),
        v2_before,
        "nothing reached v2 after the fallback"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_changes_the_instance_so_deltas_across_it_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (v1, v2) = (Upstream::start("v1").await, Upstream::start("v2").await);
    let state_file = tmp.path().join("proxy-state.json");
    let mut proxy = GateProxy::start(tmp.path(), flags(&v1, &v2, Some(&state_file))).await;
    let client = client();
    let router = proxy.router();
    router
        .route(&v1.backend(), Some(&v2.backend()), 50)
        .await
        .unwrap();
    let (header, _) = router.force_header("v1").unwrap();
    let send = async |url: &str, n: usize| {
        for version in ["v1", "v2"] {
            for _ in 0..n {
                let answer = get(&client, url, &[(header, version)]).await;
                assert_eq!(answer.body, version);
            }
        }
    };
    send(&proxy.url, 3).await;
    let first = sample(&router).await;
    send(&proxy.url, 1).await;
    let later = sample(&router).await.since(&first).unwrap();
    assert_eq!((later.stable.requests, later.canary.requests), (1, 1));

    proxy.restart(tmp.path()).await;
    let router = proxy.router();
    let state = router.state().await.unwrap();
    assert_eq!(
        state.versions[1].weight, 50,
        "the table came back from --state"
    );
    // More traffic than before the restart: only the instance can tell the counters restarted.
    send(&proxy.url, 10).await;
    let second = sample(&router).await;
    assert_ne!(second.instance, first.instance);
    assert!(
        second.stable.requests > first.stable.requests
            && second.canary.requests > first.canary.requests,
        "{second:?} vs {first:?}"
    );
    assert_eq!(second.since(&first), None);
}
