//! Real processes for the router tests: HAProxy children the test owns (killed and reaped on
//! drop), small axum upstreams that answer with their version's name, and a plain HTTP client.
//! Everything listens on 127.0.0.1; readiness is waited for as a condition, never a sleep.

#![allow(dead_code, reason = "each test binary uses a different subset")]
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use gate_traffic::{Backend, HaproxyService};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How long anything may take to become ready.
const READY: Duration = Duration::from_secs(15);

/// Polls `condition` until it holds or [`READY`] runs out.
pub async fn wait_for<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + READY;
    while !condition().await {
        assert!(Instant::now() < deadline, "{what} within {READY:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// An HTTP server that answers every request with its version's name, with status 200 or, once
/// told, another.
pub struct Upstream {
    pub version: String,
    pub url: String,
    status: Arc<AtomicU16>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Upstream {
    pub async fn start(version: &str) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let status = Arc::new(AtomicU16::new(200));
        let name = version.to_string();
        let app = axum::Router::new()
            .fallback(
                |State((name, status)): State<(String, Arc<AtomicU16>)>| async move {
                    let code = StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap();
                    (code, name)
                },
            )
            .with_state((name, status.clone()));
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
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn backend(&self) -> Backend {
        Backend::new(&self.version, &self.url)
    }

    /// Answers `status` from now on.
    pub fn fail_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Stops listening and closes every connection (HAProxy's idle ones too): from then on,
    /// connecting to it is refused.
    pub async fn close(&mut self) {
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

/// A TCP server that reads a request and hangs up without answering.
pub struct HangUp {
    pub url: String,
    task: JoinHandle<()>,
}

impl HangUp {
    pub async fn start() -> HangUp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
            }
        });
        HangUp { url, task }
    }
}

impl Drop for HangUp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback port nothing listens on right now (bound to port 0, then released).
pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn haproxy_binary() -> PathBuf {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("haproxy"))
        .find(|candidate| candidate.is_file());
    found.expect("haproxy is not installed: run scripts/setup (Debian's haproxy package)")
}

/// An HAProxy process started by the test from a generated config, killed and reaped when
/// dropped.
pub struct Haproxy {
    pub service: HaproxyService,
    pub config_path: PathBuf,
    /// Where users connect: `http://127.0.0.1:PORT`.
    pub url: String,
    log_path: PathBuf,
    child: Child,
}

impl Haproxy {
    /// Generates the config for service `shop` with `stable` in slot `a` into `dir`, starts
    /// HAProxy and waits until its socket and its frontend answer.
    pub async fn start(dir: &Path, stable: &Upstream) -> Haproxy {
        let listen = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let mut service = HaproxyService::new("shop", listen, dir, stable.backend());
        // HAProxy waits min(timeout connect, 1 s) before each retry of a refused connection:
        // short, so a test of a dead version takes milliseconds per request, not seconds.
        service.connect_timeout = Duration::from_millis(50);
        let config_path = dir.join("haproxy.cfg");
        service.files().unwrap().write(&config_path).unwrap();
        let log_path = dir.join("haproxy.log");
        let child = spawn(&config_path, &log_path);
        let mut haproxy = Haproxy {
            url: format!("http://{listen}"),
            service,
            config_path,
            log_path,
            child,
        };
        haproxy.wait_ready().await;
        haproxy
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills HAProxy and starts it again from the same files (same port, same socket path).
    pub async fn restart(&mut self) {
        self.stop();
        self.child = spawn(&self.config_path, &self.log_path);
        self.wait_ready().await;
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    async fn wait_ready(&mut self) {
        let pid = format!("Pid: {}\n", self.child.id());
        let socket = self.service.socket.clone();
        let listen = self.service.listen;
        let deadline = Instant::now() + READY;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
                panic!("haproxy exited with {status} before it was ready:\n{log}");
            }
            let info = command(&socket, "show info").await.unwrap_or_default();
            if info.contains(&pid) && TcpStream::connect(listen).await.is_ok() {
                return;
            }
            assert!(Instant::now() < deadline, "haproxy ready within {READY:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// One runtime API command, sent by the test itself (to check HAProxy, not the driver).
    pub async fn command(&self, line: &str) -> String {
        command(&self.service.socket, line).await.unwrap()
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn(config: &Path, log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(haproxy_binary())
        .arg("-f")
        .arg(config)
        .arg("-db")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start haproxy")
}

async fn command(socket: &Path, line: &str) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(socket).await?;
    stream.write_all(format!("{line}\n").as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    Ok(answer)
}

/// What one request through the router got back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The value of the `gate_version` cookie HAProxy set, if it set one.
    pub sticky: Option<String>,
}

/// A client without a cookie jar (each test says which cookie it sends) that opens a
/// connection per request: HAProxy closes a kept-alive client connection without an answer
/// when the version hangs up (so that browsers retry), and these tests count answers.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

pub async fn get(client: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = client.get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let sticky = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("gate_version="))
        .map(|v| v.split(';').next().unwrap_or("").to_string());
    Answer {
        status,
        body: response.text().await.unwrap(),
        sticky,
    }
}

/// Sends `n` requests and counts the answers by (status, body).
pub async fn tally(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    n: usize,
) -> Tally {
    let mut tally = Tally::default();
    for _ in 0..n {
        let answer = get(client, url, headers).await;
        tally.answers.push((answer.status, answer.body));
    }
    tally
}

#[derive(Debug, Default)]
pub struct Tally {
    pub answers: Vec<(u16, String)>,
}

impl Tally {
    /// Answers with this status and body.
    pub fn count(&self, status: u16, body: &str) -> u64 {
        self.answers
            .iter()
            .filter(|(s, b)| *s == status && b == body)
            .count() as u64
    }

    /// Answers with this status, whatever the body.
    pub fn status(&self, status: u16) -> u64 {
        self.answers.iter().filter(|(s, _)| *s == status).count() as u64
    }

    /// Answers whose body is `body` (any status).
    pub fn from(&self, body: &str) -> u64 {
        self.answers.iter().filter(|(_, b)| b == body).count() as u64
    }
}

/// Asserts that `hits` of `n` independent requests fit a share `p`, within 4.5 standard
/// deviations of the binomial (a false failure about once in 150 000 runs).
pub fn assert_share(what: &str, hits: u64, n: u64, p: f64) {
    let mean = n as f64 * p;
    let spread = 4.5 * (n as f64 * p * (1.0 - p)).sqrt();
    assert!(
        (hits as f64 - mean).abs() <= spread.max(1.0),
        "{what}: {hits} of {n}, expected {mean} ± {spread:.1}"
    );
}
