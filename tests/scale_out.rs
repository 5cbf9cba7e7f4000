//! Scale-out: two `gate serve` processes on one database with agents on each. A commit's
//! status is cached in each server's memory (`gate-server/src/service/verdict_cache.rs`); the
//! cache must stay correct when the other server, or an agent of the other server, changes the
//! runs: a merge check reading either server sees the same, current verdict.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::time::{Duration, Instant};

use common::Shop;
use common::server::{
    Agent, READ_TOKEN, SUBMIT_TOKEN, Server, ServerSpec, postgres_database, sha, write_config,
};

/// The commit's status state as `server` answers it.
fn state(server: &Server, commit: &str) -> String {
    let (status, verdict) = server.get(&format!("/api/v1/commits/{commit}/status"), READ_TOKEN);
    assert_eq!(status, 200, "{verdict:#}");
    verdict["state"].as_str().unwrap().to_string()
}

/// Polls both servers until `commit` is final on `writer`'s side; the other must then agree at
/// once (a stale cache would keep answering `pending`).
fn final_on_both(writer: &Server, reader: &Server, commit: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        // Read on the other server first, so it has the pending verdict cached.
        let before = state(reader, commit);
        let written = state(writer, commit);
        if written != "pending" {
            assert_eq!(
                state(reader, commit),
                written,
                "{commit}: the other server answers as before ({before})"
            );
            return written;
        }
        assert!(Instant::now() < deadline, "{commit} still pending");
        std::thread::park_timeout(Duration::from_millis(100));
    }
}

fn two_servers(database_url: &str) {
    let shop = Shop::start(&[]);
    let bad = Shop::start(&["--fault", "checkout-500"]);
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let spec = |dir: &std::path::Path| ServerSpec {
        database_url: database_url.to_string(),
        workers: 0,
        ..ServerSpec::sqlite(dir)
    };
    let a = Server::start_with(one.path(), &write_config(one.path(), &spec(one.path())));
    let b = Server::start_with(two.path(), &write_config(two.path(), &spec(two.path())));
    let _agent_a = Agent::start(&a, one.path(), "agent-a", 2);
    let _agent_b = Agent::start(&b, two.path(), "agent-b", 2);

    // Each server takes submissions; either server's agent may run any job.
    let mut seen = Vec::new();
    for (i, (submit_to, other, base)) in [
        (&a, &b, &shop.base_url),
        (&b, &a, &bad.base_url),
        (&a, &b, &bad.base_url),
        (&b, &a, &shop.base_url),
    ]
    .into_iter()
    .enumerate()
    {
        let commit = sha(&format!("scale-out {i}"));
        let body = serde_json::json!({ "commit": commit, "base_url": base });
        let again = serde_json::json!({ "commit": commit, "base_url": base, "rerun": true });
        let (status, run) = submit_to.post("/api/v1/runs", SUBMIT_TOKEN, &body);
        assert_eq!(status, 201, "{run:#}");
        assert_eq!(state(other, &commit), "pending");
        let verdict = final_on_both(submit_to, other, &commit);
        let expected = if base == &shop.base_url {
            "success"
        } else {
            "failure"
        };
        assert_eq!(verdict, expected, "{commit} against {base}");

        // A re-run submitted to the other server: both drop their cached verdict.
        let (status, rerun) = other.post("/api/v1/runs", SUBMIT_TOKEN, &again);
        assert_eq!(status, 201, "{rerun:#}");
        assert_eq!(state(submit_to, &commit), "pending", "a new run is pending");
        assert_eq!(final_on_both(other, submit_to, &commit), expected);
        seen.push(verdict);
    }
    assert_eq!(seen, ["success", "failure", "failure", "success"]);
}

#[test]
fn two_servers_on_one_sqlite_file_agree_on_every_status() {
    let tmp = tempfile::tempdir().unwrap();
    two_servers(&format!(
        "sqlite://{}",
        tmp.path().join("shared.db").display()
    ));
}

#[test]
fn two_servers_on_one_postgres_database_agree_on_every_status() {
    let Some(database) = postgres_database("scaleout") else {
        return;
    };
    two_servers(&database.url);
}
