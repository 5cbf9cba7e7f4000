//! The server's web pages in real Chromium, driven by gate's own runner: log in with a token,
//! the run list, a run page with its verdict and scenarios, the commit page, log out.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::server::*;
use common::*;

#[test]
fn the_pages_work_in_a_real_browser() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        scenarios: repo().join("tests/scenarios/server-tiny"),
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let commit = sha("pages");
    assert_eq!(submit(&server, &commit, &shop.base_url, &[]).0, Some(0));
    assert_eq!(wait(&server, &commit, "3m").0, Some(0));
    let (_, status) = server.get(&format!("/api/v1/commits/{commit}/status"), READ_TOKEN);
    let run = status["runs"][0]["id"].as_str().unwrap().to_string();

    let json = tmp.path().join("pages.json");
    let output = gate(tmp.path())
        .env("GATE_TOKEN", READ_TOKEN)
        .args(["run", "--base-url", &server.url, "--workers", "1", "--json"])
        .arg(&json)
        .args([
            "--var",
            &format!("commit={commit}"),
            "--var",
            &format!("short={}", &commit[..10]),
            "--var",
            &format!("run={run}"),
        ])
        .arg(repo().join("tests/server-pages"))
        .output()
        .unwrap();
    let result = read_json(&json);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{:#}",
        text(&output),
        result
    );
    assert!(
        !text(&output).contains(READ_TOKEN),
        "the token is a secret: never printed"
    );
}
