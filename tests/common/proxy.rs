//! `gate proxy` as a child process the test owns: started on ports the system picks, its
//! addresses read from what it prints, its stderr kept for assertions, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::{gate_bin, wait_for_line};

/// The admin token every test proxy is started with.
pub const TOKEN: &str = "proxy-process-test-token-5d1e";

/// A running `gate proxy`. Killed when dropped, unless stopped first.
pub struct ProxyProcess {
    pub child: Child,
    pub url: String,
    pub admin: String,
    stderr: Arc<(Mutex<Vec<String>>, Condvar)>,
}

impl ProxyProcess {
    /// `gate proxy` on loopback ports the system picks, with `args` and the admin token
    /// [`TOKEN`].
    pub fn start(dir: &Path, args: &[&str]) -> ProxyProcess {
        ProxyProcess::start_at(dir, "127.0.0.1:0", "127.0.0.1:0", args)
    }

    /// `gate proxy` listening on `listen` and `admin` (`host:port`).
    pub fn start_at(dir: &Path, listen: &str, admin: &str, args: &[&str]) -> ProxyProcess {
        let mut child = Command::new(gate_bin())
            .current_dir(dir)
            .args(["proxy", "--listen", listen, "--admin", admin])
            .args(args)
            .env("GATE_PROXY_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr: Arc<(Mutex<Vec<String>>, Condvar)> = Arc::default();
        let log = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("[gate proxy] {line}");
                log.0.lock().unwrap().push(line);
                log.1.notify_all();
            }
        });
        let line = wait_for_line(child.stdout.take().unwrap(), "gate proxy listening on ")
            .expect("gate proxy printed its addresses");
        // gate proxy listening on http://A (admin http://B)
        let rest = line
            .trim()
            .strip_prefix("gate proxy listening on ")
            .unwrap();
        let (url, admin) = rest.split_once(" (admin ").unwrap();
        ProxyProcess {
            child,
            url: url.to_string(),
            admin: admin.trim_end_matches(')').to_string(),
            stderr,
        }
    }

    pub fn wait_for_stderr(&self, needle: &str) -> String {
        let (lock, cond) = &*self.stderr;
        let guard = lock.lock().unwrap();
        let (guard, wait) = cond
            .wait_timeout_while(guard, Duration::from_secs(30), |lines| {
                !lines.iter().any(|l| l.contains(needle))
            })
            .unwrap();
        assert!(!wait.timed_out(), "no `{needle}` on stderr: {:?}", *guard);
        guard.iter().find(|l| l.contains(needle)).cloned().unwrap()
    }

    /// kill -9, then the same proxy again on the same addresses with `args`.
    pub fn crash_and_restart(&mut self, dir: &Path, args: &[&str]) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let address = |url: &str| url.trim_start_matches("http://").to_string();
        *self = ProxyProcess::start_at(dir, &address(&self.url), &address(&self.admin), args);
    }

    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn stop(&mut self) -> std::process::ExitStatus {
        self.sigterm();
        self.child.wait().unwrap()
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
