//! The demo shop as a child process (`gate demo-shop --port 0 --log-requests`), and the
//! requests it logs, to wait on.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::gate_bin;
use super::process::announced_address;

/// The demo shop's login password, and the secret `SHOP_PASSWORD` of every `gate` the tests run.
pub const PASSWORD: &str = "s3cr3t-Correct-Horse-7731";

/// How long a test waits for a request it expects the shop to see.
const REQUEST_LIMIT: Duration = Duration::from_secs(60);

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
        let requests: Arc<(Mutex<Vec<String>>, Condvar)> = Arc::default();
        let log = requests.clone();
        let base_url = announced_address(
            child.stdout.take().expect("shop stdout"),
            "demo shop listening on ",
            Duration::from_secs(30),
            move |line| {
                if let Some(request) = line.strip_prefix("request ") {
                    let (lock, cond) = &*log;
                    lock.lock().unwrap().push(request.to_string());
                    cond.notify_all();
                }
            },
        );
        Shop {
            child,
            base_url,
            requests,
        }
    }

    /// Blocks until a request line starting with `prefix` (`GET /products`) has been logged,
    /// or panics after a minute: how a test knows a scenario has reached that page.
    pub fn wait_for(&self, prefix: &str) -> String {
        self.wait_for_request(REQUEST_LIMIT, |r| r.starts_with(prefix))
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
        let until = Instant::now() + limit;
        let mut guard = lock.lock().unwrap();
        while Instant::now() < until {
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

    /// How many logged request lines satisfy `pred`.
    pub fn count(&self, pred: impl Fn(&str) -> bool) -> usize {
        self.requests
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|r| pred(r))
            .count()
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
