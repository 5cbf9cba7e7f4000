//! The gate server end to end, with real processes: `gate serve` (SQLite, then PostgreSQL),
//! `gate submit` + `gate wait` against the healthy and the faulty demo shop, and the same work
//! done by an agent instead of the embedded pool.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::time::Duration;

use common::events::EventStream;
use common::server::*;
use common::*;

/// Submits a healthy and a broken build and checks the verdicts `gate wait` gives.
fn verdicts(server: &Server) {
    let good = Shop::start(&[]);
    let bad = Shop::start(&["--fault", "checkout-500"]);
    let (a, b) = (sha("good build"), sha("broken build"));

    let (code, out) = submit(server, &a, &good.base_url, &["--branch", "main"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("submitted: run"), "{out}");
    let (code, out) = submit(server, &b, &bad.base_url, &["--pr", "42"]);
    assert_eq!(code, Some(0), "{out}");

    // Both waits at once, as two CI jobs would wait.
    let (good_build, broken_build) = std::thread::scope(|s| {
        let good = s.spawn(|| wait(server, &a, "5m"));
        let broken = s.spawn(|| wait(server, &b, "5m"));
        (good.join().unwrap(), broken.join().unwrap())
    });
    let (code, out) = good_build;
    assert_eq!(code, Some(0), "healthy build: {out}");
    assert!(out.contains("success"), "{out}");
    let (code, out) = broken_build;
    assert_eq!(code, Some(1), "broken build: {out}");
    assert!(
        out.contains("checkout") && out.contains("api"),
        "the failing scenarios are named: {out}"
    );
    assert!(!out.contains(PASSWORD));

    // The same commit again is the same run.
    let (code, out) = submit(server, &a, &good.base_url, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("already submitted"), "{out}");

    let (status, body) = server.get(&format!("/api/v1/commits/{a}/status"), READ_TOKEN);
    assert_eq!(status, 200);
    assert_eq!(body["state"], "success", "{body:#}");
    let run = body["runs"][0]["id"].as_str().unwrap().to_string();
    let (status, run) = server.get(&format!("/api/v1/runs/{run}"), READ_TOKEN);
    assert_eq!(status, 200);
    let jobs = run["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3, "{run:#}");
    assert!(jobs.iter().all(|j| j["outcome"] == "passed"), "{run:#}");

    // The login secret is in no stored record or report.
    let (_, failed) = server.get(&format!("/api/v1/commits/{b}/status"), READ_TOKEN);
    let failed_run = failed["runs"][0]["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/runs/{failed_run}"),
        format!("/api/v1/runs/{failed_run}/junit.xml"),
        format!("/api/v1/runs/{failed_run}/report/"),
    ] {
        let body = server.get_text(&path, READ_TOKEN);
        assert!(body.len() > 100, "{path}: {body}");
        assert!(!body.contains(PASSWORD), "{path} shows the secret");
    }
}

#[test]
fn submit_and_wait_with_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), &ServerSpec::sqlite(tmp.path()));
    verdicts(&server);
}

#[test]
fn submit_and_wait_with_postgres() {
    let Some(database) = postgres_database("e2e") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        database_url: database.url.clone(),
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    verdicts(&server);
}

#[test]
fn an_agent_does_the_work_when_the_server_has_no_browsers() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        workers: 0,
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let _agent = Agent::start(&server, tmp.path(), "agent-one", 2);
    verdicts(&server);
}

#[test]
fn an_idle_worker_closes_the_last_scenarios_page() {
    // The scenario leaves its page polling the shop. A server's worker holds its browser
    // between runs: once it has nothing queued, that page must be closed, not left running
    // until the next job.
    let tmp = tempfile::tempdir().unwrap();
    let scenarios = tmp.path().join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    std::fs::write(
        scenarios.join("poller.toml"),
        r#"name = "poller"

[[step]]
goto = "/products"

[[step]]
# Resolves once the poll has answered: the page is polling when the scenario ends.
eval = "new Promise((done) => setInterval(() => fetch('/api/health').then(() => done(true)), 50))"
"#,
    )
    .unwrap();
    let spec = ServerSpec {
        workers: 1,
        scenarios,
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let events = EventStream::open(&server);
    let shop = Shop::start(&[]);
    let commit = sha("poller");
    let (code, out) = submit(&server, &commit, &shop.base_url, &[]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = wait_after(&events, &server, &commit, Duration::from_secs(120));
    assert_eq!(code, Some(0), "{out}");
    let polled = |r: &str| r == "GET /api/health";
    shop.wait_for_request(Duration::from_secs(10), polled);
    assert!(
        shop.quiet_for(Duration::from_secs(1), Duration::from_secs(20), polled),
        "the finished scenario's page kept polling: {} requests",
        shop.requests().iter().filter(|r| polled(r)).count()
    );
}
