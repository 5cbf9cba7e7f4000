//! Child processes seen from outside: their output lines, signals, and the browsers they leave.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

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

/// Follows a server's `stdout` on a thread of its own until it ends, and returns what follows
/// `prefix` on the line that announces its address (`… listening on <url>`) once it is printed
/// (panics after `limit`). Every other line goes to `each`.
pub(crate) fn announced_address(
    stdout: impl std::io::Read + Send + 'static,
    prefix: &'static str,
    limit: Duration,
    mut each: impl FnMut(&str) + Send + 'static,
) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            match line.strip_prefix(prefix) {
                Some(address) => {
                    let _ = tx.send(address.trim().to_string());
                }
                None => each(&line),
            }
        }
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|e| panic!("no line `{prefix}…` within {limit:?}: {e}"))
}

/// Sends `signal` (`-STOP`, `-INT`, `-9`, …) to the process `pid`.
pub fn signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill {signal} {pid}");
}

/// PIDs of Chromium processes whose command line mentions `needle` (e.g. a profile path), each
/// with whether it is the main browser process.
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

/// No browser whose profile is under `dir` (the TMPDIR of the gate that started it) still
/// runs, and no profile directory (`gate-pool-*`) is left there.
pub fn assert_no_browsers_under(dir: &Path) {
    let profiles = dir.to_string_lossy();
    assert!(
        browser_pids(&profiles).is_empty(),
        "browsers left: {:?}",
        browser_pids(&profiles)
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("gate-pool-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "profile directories left: {leftovers:?}"
    );
}

/// What the kernel says a process holds: resident memory and open file descriptors. `None`
/// once it has exited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub rss_kib: u64,
    pub fds: usize,
}

impl Footprint {
    pub fn of(pid: u32) -> Option<Footprint> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let rss_kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
        Some(Footprint { rss_kib, fds })
    }

    /// The sum over `pids` (processes that exited meanwhile count for nothing).
    pub fn total(pids: impl IntoIterator<Item = u32>) -> Footprint {
        pids.into_iter()
            .filter_map(Footprint::of)
            .fold(Footprint { rss_kib: 0, fds: 0 }, |a, b| Footprint {
                rss_kib: a.rss_kib + b.rss_kib,
                fds: a.fds + b.fds,
            })
    }
}
