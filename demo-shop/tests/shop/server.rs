//! `serve` over a real socket on the loopback interface: it answers, and it stops when told.

use demo_shop::{ShopConfig, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

#[tokio::test]
async fn serves_until_shutdown() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let config = ShopConfig {
        version: "v9".to_owned(),
        ..ShopConfig::default()
    };
    let server = tokio::spawn(serve(listener, config, async {
        let _ = stop_rx.await;
    }));

    // The listener is bound before `serve` starts, so connecting needs no retry loop.
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.ends_with(r#"{"status":"ok","version":"v9"}"#),
        "{response}"
    );

    stop_tx.send(()).expect("server still running");
    let result = server.await.expect("serve did not panic");
    assert!(result.is_ok(), "{result:?}");
    assert!(TcpStream::connect(address).await.is_err());
}
