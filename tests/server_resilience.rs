//! Nothing submitted is lost or stuck: a server killed with SIGKILL mid-run finishes the run
//! after a restart, an agent killed mid-job loses its lease to another agent, and concurrent
//! submissions are all accepted once and all reach a final state.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::events::{EventStream, of_type};
use common::server::*;
use common::*;

fn slow_spec(dir: &std::path::Path, workers: usize) -> ServerSpec {
    ServerSpec {
        workers,
        scenarios: repo().join("tests/scenarios/server-slow"),
        lease: "2s",
        ..ServerSpec::sqlite(dir)
    }
}

/// Every job of the commit's run is done exactly once, with a result; returns the jobs.
fn finished_jobs(server: &Server, commit: &str) -> Vec<serde_json::Value> {
    let (status, body) = server.get(&format!("/api/v1/commits/{commit}/status"), READ_TOKEN);
    assert_eq!(status, 200, "{body:#}");
    let runs = body["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run for the commit: {body:#}");
    let run = server.run_of(commit);
    let jobs = run["jobs"].as_array().unwrap().clone();
    let mut names: Vec<&str> = jobs
        .iter()
        .map(|j| j["scenario"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["health", "slow-catalogue"],
        "each scenario exactly once: {run:#}"
    );
    assert!(
        jobs.iter()
            .all(|j| j["state"] == "done" && j["outcome"] == "passed"),
        "{run:#}"
    );
    jobs
}

#[test]
fn a_run_survives_the_server_being_killed() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "4s"]);
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Server::start(tmp.path(), &slow_spec(tmp.path(), 1));
    let commit = sha("server killed");
    let (code, out) = submit(&server, &commit, &shop.base_url, &[]);
    assert_eq!(code, Some(0), "{out}");
    shop.wait_for("GET /products");
    server.kill();

    let restarted = Server::start_with(tmp.path(), &server.config.clone());
    let events = EventStream::open(&restarted);
    let (code, out) = wait_after(&events, &restarted, &commit, Duration::from_secs(180));
    assert_eq!(code, Some(0), "{out}");
    let jobs = finished_jobs(&restarted, &commit);
    let slow = jobs
        .iter()
        .find(|j| j["scenario"] == "slow-catalogue")
        .unwrap();
    assert!(
        slow["leases"].as_u64().unwrap() >= 2,
        "taken again after the restart: {slow:#}"
    );
}

#[test]
fn sigterm_hands_running_jobs_back_and_closes_the_browsers() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "4s"]);
    let tmp = tempfile::tempdir().unwrap();
    // A long lease: if the job were not handed back, the restarted server would wait for it.
    let spec = ServerSpec {
        lease: "5m",
        ..slow_spec(tmp.path(), 1)
    };
    let mut server = Server::start(tmp.path(), &spec);
    let commit = sha("sigterm");
    assert_eq!(submit(&server, &commit, &shop.base_url, &[]).0, Some(0));
    shop.wait_for("GET /products");
    let status = server.stop();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let profiles = tmp.path().to_string_lossy().to_string();
    assert!(
        browser_pids(&profiles).is_empty(),
        "browsers left after SIGTERM"
    );

    let restarted = Server::start_with(tmp.path(), &server.config.clone());
    let events = EventStream::open(&restarted);
    let (code, out) = wait_after(&events, &restarted, &commit, Duration::from_secs(120));
    assert_eq!(code, Some(0), "{out}");
    finished_jobs(&restarted, &commit);
}

#[test]
fn a_killed_agent_s_job_finishes_on_another_agent() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "4s"]);
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), &slow_spec(tmp.path(), 0));
    let events = EventStream::open(&server);
    let mut first = Agent::start(&server, tmp.path(), "first", 1);
    let commit = sha("agent killed");
    let (code, out) = submit(&server, &commit, &shop.base_url, &[]);
    assert_eq!(code, Some(0), "{out}");
    shop.wait_for("GET /products");
    first.kill();

    let _second = Agent::start(&server, tmp.path(), "second", 1);
    let (code, out) = wait_after(&events, &server, &commit, Duration::from_secs(180));
    assert_eq!(code, Some(0), "{out}");
    let jobs = finished_jobs(&server, &commit);
    let slow = jobs
        .iter()
        .find(|j| j["scenario"] == "slow-catalogue")
        .unwrap();
    assert!(slow["leases"].as_u64().unwrap() >= 2, "{slow:#}");
}

/// How many runs the concurrency test submits at once: enough for every submission to race
/// others and for the run list to span several pages. How many submissions a second the server
/// takes, at scale, is measured by `benches/run` (`POST /api/v1/runs` under wrk, SQLite).
const CONCURRENT: usize = 150;

/// Submits every commit at once over the API; each one's (commit, HTTP status, run id).
fn submit_all(server: &Server, base_url: &str, commits: &[String]) -> Vec<(String, u16, String)> {
    let url = format!("{}/api/v1/runs", server.url);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let client = reqwest::Client::new();
        let tasks = commits.iter().map(|commit| {
            let (client, url) = (client.clone(), url.clone());
            let body = serde_json::json!({ "commit": commit, "base_url": base_url });
            let commit = commit.clone();
            tokio::spawn(async move {
                let response = client
                    .post(&url)
                    .bearer_auth(SUBMIT_TOKEN)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let run: serde_json::Value = response.json().await.unwrap();
                (
                    commit,
                    status,
                    run["id"].as_str().unwrap_or_default().to_string(),
                )
            })
        });
        futures::future::join_all(tasks)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect()
    })
}

#[test]
fn concurrent_submissions_are_accepted_once_and_all_finish() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        workers: 2,
        scenarios: repo().join("tests/scenarios/server-tiny"),
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let events = EventStream::open(&server);
    let commits: Vec<String> = (0..CONCURRENT)
        .map(|i| sha(&format!("commit {i}")))
        .collect();

    let first = submit_all(&server, &shop.base_url, &commits);
    assert!(
        first
            .iter()
            .all(|(_, status, id)| *status == 201 && !id.is_empty()),
        "every submission accepted as new"
    );
    let ids: BTreeSet<String> = first.iter().map(|(_, _, id)| id.clone()).collect();
    assert_eq!(ids.len(), CONCURRENT, "{CONCURRENT} distinct runs");

    // Submitting them all again changes nothing: same runs, no new work.
    let again = submit_all(&server, &shop.base_url, &commits);
    for ((c1, _, id1), (c2, status, id2)) in first.iter().zip(&again) {
        assert_eq!((c1, id1), (c2, id2));
        assert_eq!(*status, 200);
    }

    // Every run reaches a final state: each is announced finished. A subscriber that fell
    // behind is told it lagged; then `gate wait` asks for each commit instead.
    events.wait_until(Duration::from_secs(600), |events| {
        let finished: BTreeSet<&str> = of_type(events, "run_finished")
            .into_iter()
            .filter_map(|e| e["run"].as_str())
            .collect();
        ids.iter().all(|id| finished.contains(id.as_str())) || !of_type(events, "lagged").is_empty()
    });
    if !of_type(&events.events(), "lagged").is_empty() {
        for commit in &commits {
            let (code, out) = wait(&server, commit, "10m");
            assert_eq!(code, Some(0), "{commit}: {out}");
        }
    }
    for state in ["queued", "running"] {
        let (_, page) = server.get(&format!("/api/v1/runs?state={state}&limit=1"), READ_TOKEN);
        assert_eq!(page["runs"], serde_json::json!([]), "no run is {state}");
    }
    let (_, passed) = server.get("/api/v1/runs?state=passed&limit=100", READ_TOKEN);
    assert_eq!(passed["runs"].as_array().unwrap().len(), 100);

    // Page by page, every run exactly once: no duplicates, none missing.
    let mut listed = Vec::new();
    let mut path = "/api/v1/runs?limit=40".to_string();
    loop {
        let (_, page) = server.get(&path, READ_TOKEN);
        let runs = page["runs"].as_array().unwrap();
        assert!(
            runs.iter().all(|r| r["state"] == "passed"),
            "every run passed"
        );
        listed.extend(runs.iter().map(|r| r["id"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/runs?limit=40&before={next}"),
            None => break,
        }
    }
    assert_eq!(listed.len(), CONCURRENT, "exactly {CONCURRENT} runs listed");
    assert_eq!(
        listed.into_iter().collect::<BTreeSet<_>>(),
        ids,
        "the submitted runs, each once"
    );
}
