//! `--backend cdp` against two real Chromium processes serving DevTools on loopback ports, as a
//! browser grid would: sessions spread over both, one endpoint killed mid-run, its scenario
//! retried on the other as an infrastructure error, and the surviving browser left running
//! (it is not gate's to close).

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

/// A Chromium started by the test with `--remote-debugging-port=0`; killed when dropped.
struct Endpoint {
    child: Child,
    port: u16,
}

impl Endpoint {
    fn start(profile: &Path) -> Endpoint {
        let mut child = Command::new("chromium")
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        // Chromium says where it listens once it does: "DevTools listening on ws://127.0.0.1:<port>/…".
        let stderr = child.stderr.take().expect("chromium stderr");
        let line = wait_for_line(stderr, "DevTools listening on")
            .expect("chromium exited before listening");
        let port = line
            .split("ws://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Endpoint { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{},sessions=1", self.port)
    }

    fn answers(&self) -> bool {
        std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sessions_spread_over_endpoints_and_a_killed_one_is_routed_around() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "2s"]);
    let tmp = tempfile::tempdir().unwrap();
    let mut first = Endpoint::start(&tmp.path().join("endpoint-1"));
    let second = Endpoint::start(&tmp.path().join("endpoint-2"));
    let suite = tmp.path().join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    for n in 1..=4 {
        std::fs::write(
            suite.join(format!("slow-{n}.toml")),
            format!(
                "name = \"slow-{n}\"\n\n[[step]]\ngoto = \"/products\"\ntimeout = \"30s\"\n\n[[step]]\nexpect = {{ selector = \"h1\", text = \"Products\" }}\n"
            ),
        )
        .unwrap();
    }
    let json = tmp.path().join("result.json");
    let child = gate(tmp.path())
        .args([
            "run",
            "--backend",
            "cdp",
            "--workers",
            "2",
            "--base-url",
            &shop.base_url,
        ])
        .args([
            "--cdp-endpoint",
            &first.url(),
            "--cdp-endpoint",
            &second.url(),
        ])
        .arg("--json")
        .arg(&json)
        .arg(&suite)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Both endpoints have a session waiting for the slow catalogue (one session each): kill
    // the first browser.
    shop.wait_for_requests(Duration::from_secs(60), 2, |r| {
        r.starts_with("GET /products")
    });
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let result = read_json(&json);
    let scenarios = result["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 4);
    for s in scenarios {
        assert_eq!(s["outcome"], "passed", "{s:#}");
    }
    let retried: Vec<_> = scenarios
        .iter()
        .filter(|s| s["attempts"].as_array().unwrap().len() > 1)
        .collect();
    assert_eq!(
        retried.len(),
        1,
        "the scenario on the killed endpoint is retried: {result:#}"
    );
    let attempts = retried[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["outcome"], "error");
    assert_eq!(attempts[0]["failure"]["kind"], "infrastructure");
    assert_eq!(attempts[1]["outcome"], "passed");

    // The surviving browser is not gate's: it still runs and answers.
    assert!(second.answers(), "gate closed a browser it did not start");
}

#[test]
fn cdp_needs_endpoints_and_offers_only_context_isolation() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path())
        .args([
            "run",
            "--backend",
            "cdp",
            "--base-url",
            "http://127.0.0.1:9",
        ])
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(text(&output).contains("--backend cdp needs at least one --cdp-endpoint"));

    let output = gate(tmp.path())
        .args(["run", "--backend", "cdp", "--isolation", "browser"])
        .args([
            "--cdp-endpoint",
            "http://127.0.0.1:9",
            "--base-url",
            "http://127.0.0.1:9",
        ])
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("isolation `browser` is not available with --backend cdp"),
        "{}",
        text(&output)
    );

    let output = gate(tmp.path())
        .args([
            "run",
            "--backend",
            "cdp",
            "--cdp-endpoint",
            "127.0.0.1:9222",
        ])
        .args(["--base-url", "http://127.0.0.1:9"])
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("--cdp-endpoint"),
        "{}",
        text(&output)
    );
}
