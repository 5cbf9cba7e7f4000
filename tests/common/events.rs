//! A server's event stream (`GET /api/v1/events`) read with `curl -N`, for tests that wait on
//! what the server announces (`run_finished`, …) instead of polling it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::server::{READ_TOKEN, Server};

/// The events of one subscription, as JSON, as they arrive. Closed when dropped.
pub struct EventStream {
    child: Child,
    events: Arc<(Mutex<Vec<serde_json::Value>>, Condvar)>,
}

impl EventStream {
    /// Subscribes, and returns once the server says the subscription is in place (its
    /// `: subscribed` comment): every event from then on is seen.
    pub fn open(server: &Server) -> EventStream {
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

    /// Waits until the events seen so far satisfy `done` (panics after `limit`).
    pub fn wait_until(&self, limit: Duration, done: impl Fn(&[serde_json::Value]) -> bool) {
        let (list, changed) = &*self.events;
        let guard = list.lock().unwrap();
        let (guard, timeout) = changed
            .wait_timeout_while(guard, limit, |events| !done(events))
            .unwrap();
        let last = &guard[guard.len().saturating_sub(20)..];
        assert!(
            !timeout.timed_out(),
            "not there within {limit:?}; {} events so far, the last ones: {last:#?}",
            guard.len()
        );
    }

    /// Waits until the run of `commit` is over: announced finished on this stream, or already
    /// in a final state when asked. The stream must have been opened before the run could end.
    pub fn wait_for_run_of(&self, server: &Server, commit: &str, limit: Duration) {
        let run = server.run_of(commit);
        if !["queued", "running"].contains(&run["state"].as_str().unwrap_or_default()) {
            return;
        }
        let id = run["id"].as_str().unwrap();
        self.wait_until(limit, |events| {
            of_type(events, "run_finished")
                .iter()
                .any(|e| e["run"] == id)
        });
    }

    /// Every event seen so far.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.events.0.lock().unwrap().clone()
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The events of one type (`run_finished`, `run_queued`, `verdict_changed`, `lagged`, …).
pub fn of_type<'a>(events: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}
