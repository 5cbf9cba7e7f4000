//! The proxy's request handling: arbitrary bytes sent as one client connection to a real
//! [`Proxy`] (in this process, on loopback, in front of two small upstreams). Whatever the bytes
//! (malformed requests, huge or repeated headers, pipelined requests, upgrades, bodies cut
//! short), the proxy answers HTTP/1.x or closes within a bounded time, no task of it panics,
//! and the next client is served by a version of the table.
//!
//! The proxy and its runtime are started once per process and shared by every input.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gate_proxy::api::{Routes, VERSION_HEADER, VersionRoute};
use gate_proxy::{Proxy, ProxyConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::time::timeout;

/// How long the proxy may take to answer (or close) one input, and a plain request.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);
/// Enough of an answer to judge it; the rest is read and dropped.
const KEEP: usize = 64 * 1024;

struct Harness {
    runtime: Runtime,
    proxy: SocketAddr,
    /// Keeps the proxy's tasks running for the life of the process.
    _proxy: Proxy,
}

/// Set by the panic hook: a proxy task panicked (tokio would otherwise only end that task).
static PANICKED: AtomicBool = AtomicBool::new(false);
/// The runtime's threads, told apart from other tests' in the panic hook.
const THREADS: &str = "fuzz-proxy";

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(THREADS) {
                PANICKED.store(true, Ordering::SeqCst);
            }
            previous(info);
        }));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(THREADS)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let proxy = runtime.block_on(start());
        Harness {
            runtime,
            proxy: proxy.proxy_addr(),
            _proxy: proxy,
        }
    })
}

async fn start() -> Proxy {
    let mut versions = Vec::new();
    for name in ["v1", "v2"] {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("an upstream port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let app = axum::Router::new().fallback(move || async move { name });
        tokio::spawn(axum::serve(listener, app).into_future());
        versions.push(VersionRoute {
            name: name.to_string(),
            url,
            weight: 50,
        });
    }
    let loopback: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    let mut config = ProxyConfig::new(loopback, loopback, "fuzz-admin-token");
    config.routes = Some(Routes {
        stable: "v1".to_string(),
        versions,
    });
    config.seed = Some(7);
    // A partial request must not hold the input's connection for the default 30 s.
    config.timeouts.client_headers = Duration::from_secs(2);
    Proxy::start(config).await.expect("the proxy starts")
}

/// Sent after each input on the same connection: it completes a partial request head (as part
/// of a header, or as a request of its own) and asks the proxy to close once it has answered,
/// so that an input's connection ends without waiting for a timeout. (Closing the sending side
/// instead would make the proxy drop the connection before it answers: it does not support
/// half-closed clients.)
const CLOSE: &[u8] = b"\r\nGET /after-input HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
/// A plain request from another client.
const PLAIN: &[u8] = b"GET /another-client HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n";

pub fn check(data: &[u8]) {
    let harness = harness();
    harness.runtime.block_on(async {
        let input = [data, CLOSE].concat();
        let answer = timeout(ANSWER_WITHIN, exchange(harness.proxy, &input))
            .await
            .expect("the proxy neither answered nor closed the connection in time");
        if !answer.is_empty() {
            assert!(
                is_status_line(&answer),
                "the proxy answered with something other than HTTP/1.x: {:?}",
                String::from_utf8_lossy(&answer[..answer.len().min(200)])
            );
        }
        let served = timeout(ANSWER_WITHIN, exchange(harness.proxy, PLAIN))
            .await
            .expect("the next client was not answered in time");
        let served = String::from_utf8_lossy(&served).to_ascii_lowercase();
        assert!(
            served.starts_with("http/1.1 200 ") && served.contains(&format!("{VERSION_HEADER}: v")),
            "the next client was not served: {served:?}"
        );
    });
    assert!(
        !PANICKED.load(Ordering::SeqCst),
        "a task panicked while the proxy handled {:?}",
        String::from_utf8_lossy(&data[..data.len().min(200)])
    );
}

/// Sends `request` on a new connection and reads the answer until the proxy closes (keeping the
/// first [`KEEP`] bytes). A reset counts as the end, and a failed write is fine: the proxy may
/// refuse and close before it has read everything.
async fn exchange(proxy: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(proxy).await.expect("the proxy accepts");
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 8192];
    while let Ok(n) = stream.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        let room = KEEP.saturating_sub(answer.len()).min(n);
        answer.extend_from_slice(&buffer[..room]);
    }
    answer
}

/// `HTTP/1.1 NNN ` (or `HTTP/1.0 NNN `, to a client that spoke 1.0), the start of a response.
fn is_status_line(answer: &[u8]) -> bool {
    answer.len() >= 13
        && (answer.starts_with(b"HTTP/1.1 ") || answer.starts_with(b"HTTP/1.0 "))
        && answer[9..12].iter().all(u8::is_ascii_digit)
        && answer[12] == b' '
}
