//! `gate proxy` (the real process) under hostile clients: malformed requests, a 1 MiB header
//! and 50 slowloris connections (a request's first bytes, then nothing, held open) do not stop
//! it answering another client's plain request promptly, on a new connection and on a kept-alive
//! one. The fuzz target `proxy_request` throws arbitrary bytes at the same request path in
//! process; this test is the one with a real process and many connections at once.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::future::IntoFuture;
use std::time::Duration;

use common::proxy::ProxyProcess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// What "promptly" allows a plain request (it takes milliseconds on loopback).
const PROMPTLY: Duration = Duration::from_secs(5);
const SLOWLORIS: usize = 50;

/// Sends `request` on a new connection to `addr` and reads the answer until the proxy closes;
/// a reset ends it too, and a failed write is fine (the proxy may refuse before it has read
/// everything). The sending side stays open: the proxy drops half-closed clients.
async fn exchange(addr: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// A plain request on a new connection, answered by the upstream within [`PROMPTLY`].
async fn assert_served(addr: &str, what: &str) {
    let request = b"GET /plain HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n";
    let answer = timeout(PROMPTLY, exchange(addr, request))
        .await
        .unwrap_or_else(|_| panic!("a plain request was not answered within {PROMPTLY:?} {what}"));
    assert!(
        answer.starts_with("HTTP/1.1 200 ") && answer.ends_with("v1"),
        "a plain request {what} got {answer:?}"
    );
}

/// The test body runs on the test's own thread; the two runtime workers serve the upstream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gate_proxy_keeps_serving_others_while_clients_misbehave() {
    let tmp = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(|| async { "v1" });
    tokio::spawn(axum::serve(listener, app).into_future());
    let proxy = ProxyProcess::start(tmp.path(), &["--version", &format!("v1={upstream}")]);
    let addr = proxy.url.strip_prefix("http://").unwrap().to_string();
    assert_served(&addr, "before anything").await;

    // Slowloris: each connection sends part of a request head and then nothing, and stays open.
    let mut held = Vec::new();
    for i in 0..SLOWLORIS {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let partial = format!("GET /slow/{i} HTTP/1.1\r\nHost: shop\r\nX-Slow: ");
        stream.write_all(partial.as_bytes()).await.unwrap();
        held.push(stream);
    }
    assert_served(
        &addr,
        &format!("with {SLOWLORIS} partial requests held open"),
    )
    .await;

    // Malformed requests: refused with a 400 and the connection closed; never forwarded.
    let malformed: [&[u8]; 6] = [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: shop\r\nno colon here\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: shop\r\n\r\n",
        b"\x00\x01\x02\xff\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
        b"GET /\r\n\r\n",
    ];
    for request in malformed {
        let answer = timeout(PROMPTLY, exchange(&addr, request)).await.unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 400 "),
            "{:?} got {answer:?}",
            String::from_utf8_lossy(request)
        );
    }
    assert_served(&addr, "after malformed requests").await;

    // A 1 MiB header: refused with a 431 while others are served (the proxy closes before it
    // has read it all, so the reset may reach this client before the answer does).
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: shop\r\nX-Huge: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let (answer, ()) = tokio::join!(
        timeout(PROMPTLY, exchange(&addr, huge.as_bytes())),
        assert_served(&addr, "while a 1 MiB header arrives"),
    );
    let answer = answer.unwrap();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431 "),
        "a 1 MiB header got {answer:?}"
    );

    // A kept-alive client: two requests on one connection, both answered.
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    for last in [false, true] {
        let connection = if last { "close" } else { "keep-alive" };
        let request =
            format!("GET /again HTTP/1.1\r\nHost: shop\r\nConnection: {connection}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
    }
    let mut answers = String::new();
    timeout(PROMPTLY, stream.read_to_string(&mut answers))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answers.matches("HTTP/1.1 200 ").count(), 2, "{answers}");

    // The partial requests were never answered, and are still open.
    for stream in &mut held {
        let mut byte = [0u8; 1];
        let read = timeout(Duration::from_millis(1), stream.read(&mut byte)).await;
        assert!(
            read.is_err(),
            "a partial request was answered or closed: {read:?}"
        );
    }
    drop(held);
    assert_served(&addr, "after the partial requests went away").await;
}
