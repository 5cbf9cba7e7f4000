//! The server's web pages in real Chromium, driven by gate's own runner: log in with a token,
//! the run list, a run page with its verdict and scenarios, the commit page, log out.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::time::Duration;

use common::events::EventStream;
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
    let events = EventStream::open(&server);
    let commit = sha("pages");
    assert_eq!(submit(&server, &commit, &shop.base_url, &[]).0, Some(0));
    let limit = Duration::from_secs(180);
    assert_eq!(wait_after(&events, &server, &commit, limit).0, Some(0));
    let run = server.run_of(&commit)["id"].as_str().unwrap().to_string();

    let pages = GateRun::new(tmp.path(), &server.url, repo().join("tests/server-pages"))
        .workers(1)
        .env("GATE_TOKEN", READ_TOKEN)
        .json_at(&tmp.path().join("pages.json"))
        .args([
            "--var",
            &format!("commit={commit}"),
            "--var",
            &format!("short={}", &commit[..10]),
            "--var",
            &format!("run={run}"),
        ])
        .output();
    assert_eq!(pages.code, Some(0), "{}\n{:#}", pages.log, pages.json);
    assert!(
        !pages.log.contains(READ_TOKEN),
        "the token is a secret: never printed"
    );
}
