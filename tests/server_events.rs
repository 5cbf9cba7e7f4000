//! The event stream (`GET /api/v1/events`) announces each run's end exactly once, whoever ran
//! the run's last scenario — the server's embedded pool or an agent — and across a restart of
//! the server in the middle of the runs.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::server::*;
use common::*;

/// `curl -N` on a server's event stream: the events, as JSON, as they arrive.
struct EventStream {
    child: Child,
    events: Arc<(Mutex<Vec<serde_json::Value>>, Condvar)>,
}

impl EventStream {
    /// Subscribes, and returns once the server says the subscription is in place.
    fn open(server: &Server) -> EventStream {
        let mut child = Command::new("curl")
            .args(["-sN", "-H"])
            .arg(format!("Authorization: Bearer {READ_TOKEN}"))
            .arg(format!("{}/api/v1/events", server.url))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let events: Arc<(Mutex<Vec<serde_json::Value>>, Condvar)> = Arc::default();
        let shared = events.clone();
        let (ready, subscribed) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.starts_with(": subscribed") {
                    let _ = ready.send(());
                } else if let Some(data) = line.strip_prefix("data:") {
                    let (list, changed) = &*shared;
                    list.lock()
                        .unwrap()
                        .push(serde_json::from_str(data.trim()).unwrap());
                    changed.notify_all();
                }
            }
        });
        subscribed
            .recv_timeout(Duration::from_secs(30))
            .expect("the event stream opened");
        EventStream { child, events }
    }

    /// Waits until the events seen so far satisfy `done`.
    fn wait_until(&self, limit: Duration, done: impl Fn(&[serde_json::Value]) -> bool) {
        let (list, changed) = &*self.events;
        let guard = list.lock().unwrap();
        let (guard, timeout) = changed
            .wait_timeout_while(guard, limit, |events| !done(events))
            .unwrap();
        assert!(!timeout.timed_out(), "events so far: {:#?}", *guard);
    }

    fn events(&self) -> Vec<serde_json::Value> {
        self.events.0.lock().unwrap().clone()
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn of_type<'a>(events: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

fn signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

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

    for commit in &commits {
        let (code, out) = wait(&second, commit, "3m");
        assert_eq!(code, Some(0), "{commit}: {out}");
    }
    let finished_in = |events: &[serde_json::Value]| {
        let mut finished = of_type(&before.events(), "run_finished").len();
        finished += of_type(events, "run_finished").len();
        finished
    };
    after.wait_until(Duration::from_secs(30), |e| finished_in(e) >= commits.len());

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
        let (_, status) = second.get(&format!("/api/v1/commits/{commit}/status"), READ_TOKEN);
        let run = status["runs"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(
            announced.get(&run),
            Some(&1),
            "run {run} of {commit}: {announced:?}"
        );
        let (_, view) = second.get(&format!("/api/v1/runs/{run}"), READ_TOKEN);
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
