//! What the upstream and the client see of a request through the proxy: the version header,
//! `X-Forwarded-*` and no hop-by-hop fields, bodies streamed both ways, upstream connections
//! reused, and a WebSocket passed through.

use std::collections::BTreeMap;
use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::harness::{TestProxy, routes};
use crate::upstream::Upstream;

#[tokio::test]
async fn upstreams_get_forwarded_headers_and_no_hop_by_hop_fields() {
    let v1 = Upstream::start("v1").await;
    let proxy = TestProxy::start(routes("v1", &[("v1", &v1.url(), 100)])).await;
    let reply = proxy
        .get_with(
            "/headers",
            None,
            &[
                ("host", "shop.example"),
                ("x-forwarded-for", "203.0.113.7"),
                ("x-forwarded-proto", "https"),
                ("connection", "keep-alive, x-hop"),
                ("x-hop", "only for the next hop"),
                ("keep-alive", "timeout=5"),
                ("x-gate-version", "v1"),
                ("accept", "application/json"),
            ],
        )
        .await;
    assert_eq!((reply.status, reply.version.as_str()), (200, "v1"));
    let seen: BTreeMap<String, Vec<String>> = serde_json::from_str(&reply.body).expect("json");
    let one = |name: &str| seen.get(name).map(|v| v.join(", "));
    assert_eq!(
        one("x-forwarded-for").as_deref(),
        Some("203.0.113.7, 127.0.0.1")
    );
    assert_eq!(one("x-forwarded-proto").as_deref(), Some("http"));
    assert_eq!(one("x-forwarded-host").as_deref(), Some("shop.example"));
    assert_eq!(
        one("host").as_deref(),
        Some("shop.example"),
        "the original Host is kept"
    );
    assert_eq!(one("x-gate-version").as_deref(), Some("v1"));
    assert_eq!(one("accept").as_deref(), Some("application/json"));
    for hop in ["x-hop", "keep-alive", "proxy-connection", "te", "upgrade"] {
        assert!(!seen.contains_key(hop), "{hop} was forwarded: {seen:?}");
    }
    proxy.stop().await;
}

/// The upstream sends a first chunk and then waits for the test: the client reading that
/// chunk proves the proxy passes it on before the upstream has finished.
#[tokio::test]
async fn a_response_body_streams_before_the_upstream_finishes() {
    let v1 = Upstream::start("v1").await;
    let proxy = TestProxy::start(routes("v1", &[("v1", &v1.url(), 100)])).await;
    let mut resp = proxy
        .http
        .get(format!("{}/stream", proxy.url))
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(resp.headers()["x-gate-version"], "v1");
    let first = resp.chunk().await.expect("read").expect("a first chunk");
    assert_eq!(first, "first from v1\n");
    v1.release();
    let mut rest = Vec::new();
    while let Some(chunk) = resp.chunk().await.expect("read") {
        rest.extend_from_slice(&chunk);
    }
    assert_eq!(rest, b"second\n");
    proxy.stop().await;
}

/// The upstream sees the first part of a request body while the client has not sent the
/// second yet.
#[tokio::test]
async fn a_request_body_streams_to_the_upstream() {
    let v1 = Upstream::start("v1").await;
    let proxy = TestProxy::start(routes("v1", &[("v1", &v1.url(), 100)])).await;
    let (body, chunks) = tokio::sync::mpsc::channel::<Bytes>(1);
    let chunks = futures::stream::unfold(chunks, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((Ok::<_, Infallible>(Frame::data(chunk)), rx))
    });
    let client = Client::builder(TokioExecutor::new()).build_http();
    let request = http::Request::post(format!("{}/upload", proxy.url))
        .body(StreamBody::new(Box::pin(chunks)))
        .expect("request");
    let pending = tokio::spawn(client.request(request));
    body.send(Bytes::from("part one;")).await.expect("sent");
    assert_eq!(v1.uploaded(1).await, [Bytes::from("part one;")]);
    body.send(Bytes::from("part two")).await.expect("sent");
    drop(body);
    let response = pending.await.expect("task").expect("response");
    assert_eq!(response.status(), 200);
    let all = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(all, "part one;part two");
    proxy.stop().await;
}

#[tokio::test]
async fn upstream_connections_are_kept_alive_and_reused() {
    let v1 = Upstream::start("v1").await;
    let proxy = TestProxy::start(routes("v1", &[("v1", &v1.url(), 100)])).await;
    for _ in 0..100 {
        assert_eq!(proxy.get("/", None).await.body, "v1");
    }
    assert_eq!(v1.requests(), 100);
    assert_eq!(
        v1.accepts(),
        1,
        "100 requests in a row over one upstream connection"
    );
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_is_passed_through() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let upstream = format!("http://{}", listener.local_addr().expect("address"));
    let echo = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("the proxy connects");
        let mut ws = tungstenite::accept(stream).expect("handshake");
        let mut echoed = 0;
        while let Ok(msg) = ws.read() {
            if msg.is_text() || msg.is_binary() {
                ws.send(msg).expect("echo");
                echoed += 1;
            }
        }
        echoed
    });
    let proxy = TestProxy::start(routes("v1", &[("v1", &upstream, 100)])).await;
    let addr = proxy.url.trim_start_matches("http://").to_string();
    let client = tokio::task::spawn_blocking(move || {
        let stream = std::net::TcpStream::connect(&addr).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let (mut ws, response) =
            tungstenite::client(format!("ws://{addr}/chat"), stream).expect("upgraded");
        assert_eq!(response.status(), 101);
        assert_eq!(response.headers()["x-gate-version"], "v1");
        for i in 0..5 {
            let text = format!("hello {i}");
            ws.send(tungstenite::Message::text(text.clone()))
                .expect("send");
            let back = ws.read().expect("echo").into_text().expect("text");
            assert_eq!(back.as_str(), text);
        }
        ws.close(None).expect("close");
        while ws.read().is_ok() {}
    });
    client.await.expect("client");
    assert_eq!(echo.join().expect("echo thread"), 5);
    proxy.stop().await;
}
