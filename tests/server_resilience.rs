//! Nothing submitted is lost or stuck: a server killed with SIGKILL mid-run finishes the run
//! after a restart, an agent killed mid-job loses its lease to another agent, and 1,000
//! concurrent submissions are all accepted once and all reach a final state.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::time::{Duration, Instant};

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
    let (_, run) = server.get(
        &format!("/api/v1/runs/{}", runs[0]["id"].as_str().unwrap()),
        READ_TOKEN,
    );
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
    shop.wait_for_request(Duration::from_secs(60), |r| r.starts_with("GET /products"));
    server.kill();

    let restarted = Server::start_with(tmp.path(), &server.config.clone());
    let (code, out) = wait(&restarted, &commit, "3m");
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
    shop.wait_for_request(Duration::from_secs(60), |r| r.starts_with("GET /products"));
    let status = server.stop();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let profiles = tmp.path().to_string_lossy().to_string();
    assert!(
        browser_pids(&profiles).is_empty(),
        "browsers left after SIGTERM"
    );

    let restarted = Server::start_with(tmp.path(), &server.config.clone());
    let (code, out) = wait(&restarted, &commit, "2m");
    assert_eq!(code, Some(0), "{out}");
    finished_jobs(&restarted, &commit);
}

#[test]
fn a_killed_agent_s_job_finishes_on_another_agent() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "4s"]);
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path(), &slow_spec(tmp.path(), 0));
    let mut first = Agent::start(&server, tmp.path(), "first", 1);
    let commit = sha("agent killed");
    let (code, out) = submit(&server, &commit, &shop.base_url, &[]);
    assert_eq!(code, Some(0), "{out}");
    shop.wait_for_request(Duration::from_secs(60), |r| r.starts_with("GET /products"));
    first.kill();

    let _second = Agent::start(&server, tmp.path(), "second", 1);
    let (code, out) = wait(&server, &commit, "3m");
    assert_eq!(code, Some(0), "{out}");
    let jobs = finished_jobs(&server, &commit);
    let slow = jobs
        .iter()
        .find(|j| j["scenario"] == "slow-catalogue")
        .unwrap();
    assert!(slow["leases"].as_u64().unwrap() >= 2, "{slow:#}");
}

#[test]
fn a_thousand_concurrent_submissions_are_accepted_once_and_finish() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        workers: 2,
        scenarios: repo().join("tests/scenarios/server-tiny"),
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let commits: Vec<String> = (0..1000).map(|i| sha(&format!("commit {i}"))).collect();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let submit_all = |commits: Vec<String>| {
        let url = format!("{}/api/v1/runs", server.url);
        let base = shop.base_url.clone();
        runtime.block_on(async move {
            let client = reqwest::Client::new();
            let tasks = commits.into_iter().map(|commit| {
                let (client, url, base) = (client.clone(), url.clone(), base.clone());
                tokio::spawn(async move {
                    let body = serde_json::json!({ "commit": commit, "base_url": base });
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
                .collect::<Vec<_>>()
        })
    };
    let first = submit_all(commits.clone());
    assert!(
        first
            .iter()
            .all(|(_, status, id)| *status == 201 && !id.is_empty()),
        "every submission accepted as new"
    );
    let ids: std::collections::BTreeSet<&String> = first.iter().map(|(_, _, id)| id).collect();
    assert_eq!(ids.len(), 1000, "1,000 distinct runs");

    // Submitting them all again changes nothing: same runs, no new work.
    let again = submit_all(commits.clone());
    for ((c1, _, id1), (c2, status, id2)) in first.iter().zip(&again) {
        assert_eq!((c1, id1), (c2, id2));
        assert_eq!(*status, 200);
    }

    let started = Instant::now();
    loop {
        let (_, queued) = server.get("/api/v1/runs?state=queued&limit=1", READ_TOKEN);
        let (_, running) = server.get("/api/v1/runs?state=running&limit=1", READ_TOKEN);
        if queued["runs"].as_array().is_some_and(|r| r.is_empty())
            && running["runs"].as_array().is_some_and(|r| r.is_empty())
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "runs still not final after 15 minutes"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    let (_, passed) = server.get("/api/v1/runs?state=passed&limit=100", READ_TOKEN);
    assert_eq!(passed["runs"].as_array().unwrap().len(), 100);
    let mut total = 0;
    let mut before = String::new();
    loop {
        let path = if before.is_empty() {
            "/api/v1/runs?limit=100".to_string()
        } else {
            format!("/api/v1/runs?limit=100&before={before}")
        };
        let (_, page) = server.get(&path, READ_TOKEN);
        let runs = page["runs"].as_array().unwrap();
        assert!(
            runs.iter().all(|r| r["state"] == "passed"),
            "every run passed"
        );
        total += runs.len();
        match page["next"].as_str() {
            Some(next) => before = next.to_string(),
            None => break,
        }
    }
    assert_eq!(total, 1000, "exactly 1,000 runs, no duplicates");
}
