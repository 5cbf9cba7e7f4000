//! `gate proxy` as a real process: it prints its addresses, proxies to small axum upstreams in
//! the test, applies a `PUT /api/routes`, finishes an in-flight request and exits 0 on
//! SIGTERM, keeps its table across a restart with `--state`, and refuses to start without an
//! admin token (exit 2).

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::future::IntoFuture;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::proxy::{ProxyProcess, TOKEN};
use common::*;

/// `curl` (the helpers' HTTP client): (status, body).
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args([
            "-s",
            "--noproxy",
            "*",
            "--max-time",
            "30",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
        ])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

fn admin(proxy: &ProxyProcess, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let url = format!("{}{path}", proxy.admin);
    let mut args = vec![
        "-X",
        method,
        "-H",
        &auth,
        "-H",
        "content-type: application/json",
    ];
    if let Some(b) = body {
        args.extend(["--data-binary", b]);
    }
    args.push(&url);
    curl(&args)
}

/// An upstream answering with its name; `/slow` says it started (on `started`) and answers
/// only once the test adds a permit to `release`.
struct Upstream {
    url: String,
    started: std::sync::mpsc::Receiver<()>,
    release: Arc<tokio::sync::Semaphore>,
}

async fn upstream(name: &'static str) -> Upstream {
    let (tx, started) = std::sync::mpsc::channel();
    let tx = Arc::new(Mutex::new(tx));
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let gate = release.clone();
    let app = axum::Router::new()
        .route(
            "/slow",
            axum::routing::get(move || async move {
                let _ = tx.lock().unwrap().send(());
                gate.acquire().await.unwrap().forget();
                format!("{name} slow")
            }),
        )
        .fallback(move || async move { name });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    Upstream {
        url,
        started,
        release,
    }
}

/// The test body runs on the test's own thread, so the blocking `curl` and process calls
/// leave the two runtime workers free to serve the upstreams.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gate_proxy_routes_applies_a_table_drains_on_sigterm_and_keeps_its_state() {
    let tmp = tempfile::tempdir().unwrap();
    let (v1, v2) = (upstream("v1").await, upstream("v2").await);
    let state = tmp.path().join("proxy-state.json");
    let flags = [
        "--version",
        &format!("v1={}", v1.url),
        "--version",
        &format!("v2={}", v2.url),
        "--weight",
        "v2=0",
        "--state",
        state.to_str().unwrap(),
    ]
    .map(String::from);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut proxy = ProxyProcess::start(tmp.path(), &flags);
    assert!(proxy.url.starts_with("http://127.0.0.1:") && !proxy.url.ends_with(":0"));
    assert!(proxy.admin.starts_with("http://127.0.0.1:") && !proxy.admin.ends_with(":0"));

    for _ in 0..5 {
        assert_eq!(curl(&[&proxy.url]), (200, "v1".to_string()));
    }
    let (status, _) = curl(&[&format!("{}/api/state", proxy.admin)]);
    assert_eq!(status, 401, "the admin API wants the token");

    let table = format!(
        r#"{{"stable":"v1","versions":[{{"name":"v1","url":"{}","weight":0}},{{"name":"v2","url":"{}","weight":100}}]}}"#,
        v1.url, v2.url
    );
    let (status, body) = admin(&proxy, "PUT", "/api/routes", Some(&table));
    assert_eq!(status, 200, "{body}");
    assert_eq!(curl(&[&proxy.url]), (200, "v2".to_string()));

    // SIGTERM with a request in flight: it is finished, then the process exits 0.
    let slow_url = format!("{}/slow", proxy.url);
    let in_flight = std::thread::spawn(move || curl(&[&slow_url]));
    v2.started.recv_timeout(Duration::from_secs(30)).unwrap();
    proxy.sigterm();
    proxy.wait_for_stderr("stopping: finishing in-flight requests");
    v2.release.add_permits(1);
    assert_eq!(in_flight.join().unwrap(), (200, "v2 slow".to_string()));
    let status = proxy.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "exit 0 after draining");

    // A restart with the same flags keeps the table the PUT made (v2 at 100).
    let mut again = ProxyProcess::start(tmp.path(), &flags);
    again.wait_for_stderr("routing table restored from");
    assert_eq!(curl(&[&again.url]), (200, "v2".to_string()));
    let (status, body) = admin(&again, "GET", "/api/state", None);
    assert_eq!(status, 200, "{body}");
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["versions"][1]["weight"], 100, "{state:#}");
    assert_eq!(
        state["versions"][0]["counters"]["requests"], 0,
        "a new instance counts anew"
    );
    assert_eq!(again.stop().code(), Some(0));
}

#[test]
fn gate_proxy_refuses_to_start_without_an_admin_token() {
    let tmp = tempfile::tempdir().unwrap();
    let out = gate(tmp.path())
        .args(["proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        .args(["--version", "v1=http://127.0.0.1:9"])
        .env_remove("GATE_PROXY_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no admin token: set GATE_PROXY_TOKEN"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "it never said it was listening");

    let out = gate(tmp.path())
        .args(["proxy", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        .args(["--version", "v1=http://127.0.0.1:9", "--weight", "v1=50"])
        .env("GATE_PROXY_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--weight: the weights add up to 50, not 100"),
        "{stderr}"
    );
}
