//! Upstreams for the tests: real hyper servers on 127.0.0.1 port 0 that answer with their own
//! name and count the connections they accept and the requests they serve. A few paths do
//! more: `/headers` echoes the request headers as JSON, `/status/N` answers N, `/stream` sends
//! a first chunk and the rest only after [`Upstream::release`], `/upload` reports each body
//! chunk as it arrives, `/hang` never answers.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

type Body = BoxBody<Bytes, Infallible>;

struct Shared {
    name: String,
    accepts: AtomicUsize,
    requests: AtomicUsize,
    /// `/stream` waits for a permit before its second chunk.
    gate: Semaphore,
    /// Every chunk `/upload` has received so far.
    uploaded: watch::Sender<Vec<Bytes>>,
}

/// Stops serving (and drops its connections) when dropped.
pub struct Upstream {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Upstream {
    pub async fn start(name: &str) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind upstream");
        let addr = listener.local_addr().expect("upstream address");
        let shared = Arc::new(Shared {
            name: name.to_string(),
            accepts: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            gate: Semaphore::new(0),
            uploaded: watch::channel(Vec::new()).0,
        });
        let state = shared.clone();
        let server = tokio::spawn(async move {
            // The connections live in this set: aborting the server task drops them all.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                state.accepts.fetch_add(1, Ordering::SeqCst);
                let state = state.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(&state, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Upstream {
            addr,
            shared,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// TCP connections accepted so far.
    pub fn accepts(&self) -> usize {
        self.shared.accepts.load(Ordering::SeqCst)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Lets one waiting `/stream` response finish.
    pub fn release(&self) {
        self.shared.gate.add_permits(1);
    }

    /// Waits until `/upload` has received `n` chunks; returns them.
    pub async fn uploaded(&self, n: usize) -> Vec<Bytes> {
        let mut rx = self.shared.uploaded.subscribe();
        let chunks = rx
            .wait_for(|chunks| chunks.len() >= n)
            .await
            .expect("upstream alive");
        chunks.clone()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn answer(state: &Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path().to_string();
    let text = |status: StatusCode, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)).boxed());
        *r.status_mut() = status;
        r
    };
    match path.as_str() {
        "/headers" => {
            let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (k, v) in req.headers() {
                seen.entry(k.to_string())
                    .or_default()
                    .push(v.to_str().unwrap_or("?").to_string());
            }
            let body = serde_json::to_string(&seen).expect("json");
            text(StatusCode::OK, body)
        }
        "/stream" => {
            let state = state.clone();
            let chunks = futures::stream::unfold(0, move |step| {
                let state = state.clone();
                async move {
                    let chunk = match step {
                        0 => format!("first from {}\n", state.name),
                        1 => {
                            state.gate.acquire().await.expect("gate open").forget();
                            "second\n".to_string()
                        }
                        _ => return None,
                    };
                    Some((Ok(Frame::data(Bytes::from(chunk))), step + 1))
                }
            });
            Response::new(StreamBody::new(chunks).boxed())
        }
        "/upload" => {
            let mut body = req.into_body();
            let mut all = Vec::new();
            while let Some(frame) = body.frame().await {
                let Ok(frame) = frame else { break };
                if let Ok(data) = frame.into_data() {
                    all.extend_from_slice(&data);
                    state.uploaded.send_modify(|chunks| chunks.push(data));
                }
            }
            text(StatusCode::OK, String::from_utf8_lossy(&all).into_owned())
        }
        "/hang" => std::future::pending().await,
        _ => {
            let status = path
                .strip_prefix("/status/")
                .and_then(|s| s.parse().ok())
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            text(status, state.name.clone())
        }
    }
}

/// A free loopback port with nothing listening on it (bound, then closed).
pub async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}")
}
