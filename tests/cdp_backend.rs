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
    let running = GateRun::new(tmp.path(), &shop.base_url, &suite)
        .workers(2)
        .args(["--backend", "cdp"])
        .args([
            "--cdp-endpoint",
            &first.url(),
            "--cdp-endpoint",
            &second.url(),
        ])
        .spawn();

    // Both endpoints have a session waiting for the slow catalogue (one session each): kill
    // the first browser.
    shop.wait_for_requests(Duration::from_secs(60), 2, |r| {
        r.starts_with("GET /products")
    });
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let run = running.wait();
    assert_eq!(run.code, Some(0), "{}", run.log);
    let scenarios = run.json["scenarios"].as_array().unwrap();
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
        "the scenario on the killed endpoint is retried: {:#}",
        run.json
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
    let cdp = |args: &[&str]| {
        GateRun::new(tmp.path(), "http://127.0.0.1:9", examples())
            .args(["--backend", "cdp"])
            .args(args)
            .without_json()
            .output()
    };
    let run = cdp(&[]);
    assert_eq!(run.code, Some(3), "{}", run.log);
    assert!(
        run.log
            .contains("--backend cdp needs at least one --cdp-endpoint")
    );

    let run = cdp(&[
        "--isolation",
        "browser",
        "--cdp-endpoint",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.log);
    assert!(
        run.log
            .contains("isolation `browser` is not available with --backend cdp"),
        "{}",
        run.log
    );

    let run = cdp(&["--cdp-endpoint", "127.0.0.1:9222"]);
    assert_eq!(run.code, Some(2), "{}", run.log);
    assert!(run.log.contains("--cdp-endpoint"), "{}", run.log);
}
