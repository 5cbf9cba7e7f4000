//! The event stream (`GET /api/v1/events`) announces each run's end exactly once, whoever ran
//! the run's last scenario — the server's embedded pool or an agent — and across a restart of
//! the server in the middle of the runs.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::events::{EventStream, of_type};
use common::server::*;
use common::*;

#[test]
fn each_run_is_announced_finished_exactly_once_across_pool_agents_and_a_restart() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        workers: 1,
        ..ServerSpec::sqlite(tmp.path())
    };
    let mut first = Server::start(tmp.path(), &spec);
    let before = EventStream::open(&first);
    let mut agent = Agent::start(&first, tmp.path(), "a1", 1);
    let commits: Vec<String> = (0..6).map(|i| sha(&format!("events {i}"))).collect();
    for commit in &commits {
        let (code, out) = submit(&first, commit, &shop.base_url, &[]);
        assert_eq!(code, Some(0), "{out}");
    }
    before.wait_until(Duration::from_secs(120), |e| {
        !of_type(e, "run_finished").is_empty()
    });

    // Mid-run: freeze the shop and the agent so nothing can finish while no one listens, and
    // restart the server. The agent is lost (its leases expire); a new one takes over.
    signal(shop.pid(), "-STOP");
    signal(agent.child.id(), "-STOP");
    assert!(first.stop().success(), "a clean stop");
    agent.kill();
    let second = Server::start_with(tmp.path(), &first.config.clone());
    let after = EventStream::open(&second);
    signal(shop.pid(), "-CONT");
    let _agent = Agent::start(&second, tmp.path(), "a2", 1);

    // Settled: as many runs announced finished as were submitted, and each commit's latest
    // verdict change (announced after its run's end) no longer pending.
    let settled = |events: &[serde_json::Value]| {
        let all: Vec<serde_json::Value> =
            before.events().into_iter().chain(events.to_vec()).collect();
        let last_verdict = |commit: &str| {
            all.iter()
                .rev()
                .find(|e| e["type"] == "verdict_changed" && e["commit"] == commit)
                .map(|e| e["state"].clone())
        };
        of_type(&all, "run_finished").len() >= commits.len()
            && commits
                .iter()
                .all(|c| last_verdict(c).is_some_and(|state| state != "pending"))
    };
    after.wait_until(Duration::from_secs(180), settled);
    for commit in &commits {
        let (code, out) = wait(&second, commit, "30s");
        assert_eq!(code, Some(0), "{commit}: {out}");
    }

    let all: Vec<serde_json::Value> = before.events().into_iter().chain(after.events()).collect();
    let mut announced: HashMap<String, usize> = HashMap::new();
    for event in of_type(&all, "run_finished") {
        assert_eq!(event["state"], "passed", "{event:#}");
        *announced
            .entry(event["run"].as_str().unwrap().into())
            .or_default() += 1;
    }
    let mut runners = Vec::new();
    for commit in &commits {
        let view = second.run_of(commit);
        let run = view["id"].as_str().unwrap();
        assert_eq!(
            announced.get(run),
            Some(&1),
            "run {run} of {commit}: {announced:?}"
        );
        for job in view["jobs"].as_array().unwrap() {
            runners.push(job["runner"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(
        announced.len(),
        commits.len(),
        "no other run: {announced:?}"
    );
    // Both kinds of runner ran scenarios, before and after the restart.
    for kind in ["embedded@", "agent:a1", "agent:a2"] {
        assert!(
            runners.iter().any(|r| r.starts_with(kind)),
            "{kind} in {runners:?}"
        );
    }
    // Each queued run was announced, and every verdict change carries the final verdict.
    assert_eq!(of_type(&before.events(), "run_queued").len(), commits.len());
    for commit in &commits {
        let last = all
            .iter()
            .rev()
            .find(|e| e["type"] == "verdict_changed" && e["commit"] == commit.as_str())
            .unwrap();
        assert_eq!(last["state"], "success", "{last:#}");
    }
}
