//! Helpers for the end-to-end tests: the real `gate` binary, the real demo shop (as a child
//! process on a free loopback port) and real Chromium. Nothing is mocked.

#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(clippy::unwrap_used, reason = "test helpers should fail loudly")]

pub mod canary;
pub mod docker;
pub mod proxy;
pub mod server;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub const PASSWORD: &str = "s3cr3t-Correct-Horse-7731";

pub fn gate_bin() -> &'static str {
    env!("CARGO_BIN_EXE_gate")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn examples() -> PathBuf {
    repo().join("scenarios/examples")
}

/// A demo shop child process. Killed when dropped.
pub struct Shop {
    child: Child,
    pub base_url: String,
    requests: Arc<(Mutex<Vec<String>>, Condvar)>,
}

impl Shop {
    /// Starts `gate demo-shop --port 0 --log-requests` with extra args (faults, delays).
    pub fn start(args: &[&str]) -> Shop {
        let mut child = Command::new(gate_bin())
            .args([
                "demo-shop",
                "--port",
                "0",
                "--log-requests",
                "--password",
                PASSWORD,
            ])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start demo shop");
        let stdout = child.stdout.take().expect("shop stdout");
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let requests: Arc<(Mutex<Vec<String>>, Condvar)> = Arc::default();
        let log = requests.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix("demo shop listening on ") {
                    let _ = url_tx.send(url.trim().to_string());
                } else if let Some(req) = line.strip_prefix("request ") {
                    let (lock, cond) = &*log;
                    lock.lock().unwrap().push(req.to_string());
                    cond.notify_all();
                }
            }
        });
        let base_url = url_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("demo shop printed its address");
        Shop {
            child,
            base_url,
            requests,
        }
    }

    /// Blocks until a request line matching `pred` has been logged (or panics after `limit`).
    pub fn wait_for_request(&self, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let (lock, cond) = &*self.requests;
        let guard = lock.lock().unwrap();
        let (guard, timeout) = cond
            .wait_timeout_while(guard, limit, |reqs| !reqs.iter().any(|r| pred(r)))
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "no matching request within {limit:?}; saw {:?}",
            *guard
        );
        guard.iter().find(|r| pred(r)).cloned().unwrap_or_default()
    }

    /// Blocks until `n` request lines matching `pred` have been logged (or panics after `limit`).
    pub fn wait_for_requests(&self, limit: Duration, n: usize, pred: impl Fn(&str) -> bool) {
        let (lock, cond) = &*self.requests;
        let guard = lock.lock().unwrap();
        let (guard, timeout) = cond
            .wait_timeout_while(guard, limit, |reqs| {
                reqs.iter().filter(|r| pred(r)).count() < n
            })
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "fewer than {n} matching requests within {limit:?}; saw {:?}",
            *guard
        );
    }

    /// Blocks until no request matching `pred` has been logged for `window` (true), or `limit`
    /// has passed without such a quiet spell (false): how a test sees that something stopped.
    pub fn quiet_for(
        &self,
        window: Duration,
        limit: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> bool {
        let (lock, cond) = &*self.requests;
        let count = |reqs: &Vec<String>| reqs.iter().filter(|r| pred(r)).count();
        let until = std::time::Instant::now() + limit;
        let mut guard = lock.lock().unwrap();
        while std::time::Instant::now() < until {
            let seen = count(&guard);
            let (next, wait) = cond
                .wait_timeout_while(guard, window, |reqs| count(reqs) == seen)
                .unwrap();
            if wait.timed_out() {
                return true;
            }
            guard = next;
        }
        false
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.0.lock().unwrap().clone()
    }

    /// The shop's process id (to pause it with SIGSTOP, say).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `gate` command with the environment the tests need: the secret set, a private TMPDIR so
/// browser profiles can be found and checked, no colour, and `tmp` as its working directory,
/// so whatever it writes by default (reports, artifacts) stays out of the repository.
pub fn gate(tmp: &Path) -> Command {
    let mut cmd = Command::new(gate_bin());
    cmd.current_dir(tmp)
        .env("SHOP_PASSWORD", PASSWORD)
        .env("TMPDIR", tmp)
        .env("NO_COLOR", "1")
        .env_remove("GATE_BASE_URL")
        .env_remove("GATE_WORKERS");
    cmd
}

pub fn text(output: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The JSON result file, parsed.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON result")
}

/// The scenario named `name` in a JSON result.
pub fn scenario<'a>(result: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    result["scenarios"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no scenario {name} in {result:#}"))
}

/// Line number (1-based) of the first line of `file` containing `needle`.
pub fn line_of(file: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in {}", file.display()))
}

/// Line of the `[[step]]` header that owns the first line containing `needle`.
pub fn step_line_of(file: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = line_of(file, needle) - 1;
    (0..=at)
        .rev()
        .find(|&i| lines[i].trim() == "[[step]]")
        .map(|i| i + 1)
        .expect("step header")
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Reads `stream` line by line until one contains `needle` (returned) or the stream ends
/// (`None`: the writer exited). The rest of the stream is drained in the background, so the
/// writer never blocks on a full pipe.
pub fn wait_for_line(stream: impl std::io::Read + Send + 'static, needle: &str) -> Option<String> {
    let mut lines = BufReader::new(stream).lines();
    let found = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains(needle));
    std::thread::spawn(move || lines.for_each(drop));
    found
}

/// PIDs of Chromium processes whose command line mentions `needle` (e.g. a profile path).
pub fn browser_pids(needle: &str) -> Vec<(u32, bool)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) && cmdline.contains("--user-data-dir") {
            // The main browser process has no --type= flag; renderers, GPU etc. do.
            out.push((pid, !cmdline.contains("--type=")));
        }
    }
    out
}
