//! Load: many queued scenario jobs and many concurrent `gate wait` clients against one
//! `gate serve` on SQLite with four embedded browser workers. Every run must complete with the
//! right verdict for every waiting client, status reads must keep answering while the queue
//! drains, and the server's memory must stay bounded (not grow with the jobs queued).
//!
//! The suite runs a short version; the issue's figures are one command:
//!
//! ```sh
//! cargo build --release --bin gate
//! GATE_LOAD_JOBS=10000 GATE_LOAD_WAITERS=1000 GATE_TEST_BIN=$PWD/target/release/gate \
//!     cargo nextest run --workspace --profile long -E 'binary(load)' --no-capture
//! ```
//!
//! (`GATE_TEST_BIN` runs a release build of gate, as a server would be. Every job opens a
//! browser context: on 2 cores these jobs ran at 6.7 a second, so 10,000 take about 25 minutes,
//! past the default profile's limit, hence the `long` profile.)

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::server::{READ_TOKEN, SUBMIT_TOKEN, Server, ServerSpec, sha};
use common::{Footprint, Shop, gate_bin};

/// Scenarios in the suite: the jobs of one run.
const PER_RUN: usize = 50;
/// The server's memory may grow by this much over its idle footprint, whatever the load: a
/// per-job leak of 20 KiB over 10,000 jobs would pass it.
const MEMORY_HEADROOM_KIB: u64 = 192 * 1024;

fn wanted(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A suite of `n` request-only scenarios against the shop: each job still gets its own browser
/// context, as every scenario does, but finishes in milliseconds, so the queue is what is
/// measured.
fn write_suite(dir: &std::path::Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("load-{i:03}.toml")),
            format!(
                "name = \"load {i:03}\"\n\n[[step]]\nrequest = {{ url = \"/api/health\" }}\n\
                 expect = {{ status = 200, json = {{ \"$.status\" = \"ok\" }} }}\n"
            ),
        )
        .unwrap();
    }
}

/// Samples the server's footprint until told to stop.
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<Vec<Footprint>>,
}

impl Sampler {
    fn start(pid: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                samples.extend(Footprint::of(pid));
                // A measurement interval, not a wait for something to happen.
                thread::park_timeout(Duration::from_millis(250));
            }
            samples
        });
        Sampler { stop, thread }
    }

    fn finish(self) -> Vec<Footprint> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.thread().unpark();
        self.thread.join().unwrap()
    }
}

/// Reads commit statuses round-robin, as merge checks do, until stopped: every answer's latency,
/// and any answer that was not a 200.
struct Reader {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<(Vec<Duration>, Vec<String>)>,
}

impl Reader {
    fn start(url: String, commits: Vec<String>) -> Reader {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let http = reqwest::Client::builder()
                    .no_proxy()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let (mut latencies, mut failures) = (Vec::new(), Vec::new());
                for commit in commits.iter().cycle() {
                    if flag.load(Ordering::Relaxed) {
                        break;
                    }
                    let started = Instant::now();
                    let answer = http
                        .get(format!("{url}/api/v1/commits/{commit}/status"))
                        .bearer_auth(READ_TOKEN)
                        .send()
                        .await;
                    latencies.push(started.elapsed());
                    match answer {
                        Ok(a) if a.status() == 200 => {}
                        Ok(a) => failures.push(format!("{commit}: {}", a.status())),
                        Err(e) => failures.push(format!("{commit}: {e}")),
                    }
                }
                (latencies, failures)
            })
        });
        Reader { stop, thread }
    }

    fn finish(self) -> (Vec<Duration>, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// The value of a gauge line `name{labels} value` in the metrics text.
fn gauge(metrics: &str, line_start: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(line_start))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `{line_start}` in the metrics:\n{metrics}"))
}

#[test]
fn queued_jobs_and_waiting_clients_on_sqlite() {
    let jobs = wanted("GATE_LOAD_JOBS", 200).max(PER_RUN);
    let waiters = wanted("GATE_LOAD_WAITERS", 50).max(1);
    let runs = jobs.div_ceil(PER_RUN);
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    write_suite(&suite, PER_RUN);
    let spec = ServerSpec {
        workers: 4,
        scenarios: suite,
        lease: "30s",
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let pid = server.child.id();
    let idle = Footprint::of(pid).unwrap();
    let sampler = Sampler::start(pid);
    let started = Instant::now();

    let commits: Vec<String> = (0..runs).map(|i| sha(&format!("load {i}"))).collect();
    for commit in &commits {
        let body = serde_json::json!({ "commit": commit, "base_url": shop.base_url });
        let (status, run) = server.post("/api/v1/runs", SUBMIT_TOKEN, &body);
        assert_eq!(status, 201, "{run:#}");
    }
    let submitted = started.elapsed();
    let metrics = server.get_text("/metrics", READ_TOKEN);
    let queued = gauge(&metrics, "gate_queue_jobs{state=\"queued\"} ") as usize;

    let reader = Reader::start(server.url.clone(), commits.clone());
    let clients: Vec<(String, Child)> = (0..waiters)
        .map(|i| {
            let commit = commits[i % runs].clone();
            let child = Command::new(gate_bin())
                .args(["wait", "--server", &server.url, "--token", READ_TOKEN])
                .args(["--commit", &commit, "--timeout", "60m"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (commit, child)
        })
        .collect();
    let waiting = started.elapsed();

    let mut wrong = Vec::new();
    for (commit, child) in clients {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.code() != Some(0) || !stdout.contains("success") {
            wrong.push(format!(
                "{commit}: {:?}\n{stdout}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let drained = started.elapsed();
    let (mut latencies, failures) = reader.finish();
    let samples = sampler.finish();
    assert!(
        wrong.is_empty(),
        "{} of {waiters} clients did not get `success`:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(5)].join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} status reads failed during the load, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );

    // Every run completed, with each of its scenarios once and passed.
    for commit in &commits {
        let run = server.run_of(commit);
        assert_eq!(run["state"], "passed", "{commit}: {run:#}");
        let jobs = run["jobs"].as_array().unwrap();
        assert_eq!(jobs.len(), PER_RUN, "{commit}: {run:#}");
        assert!(
            jobs.iter()
                .all(|j| j["state"] == "done" && j["outcome"] == "passed"),
            "{commit}: every job done and passed: {run:#}"
        );
    }

    let peak = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
    let peak_fds = samples.iter().map(|s| s.fds).max().unwrap_or(0);
    latencies.sort_unstable();
    let total = runs * PER_RUN;
    println!(
        "load: {total} jobs in {runs} runs ({queued} queued after {:.1} s of submitting), \
         {waiters} `gate wait` clients (all started by {:.1} s); every run passed, every client \
         got `success`; drained in {:.1} s ({:.1} jobs/s on 4 workers)",
        submitted.as_secs_f64(),
        waiting.as_secs_f64(),
        drained.as_secs_f64(),
        total as f64 / drained.as_secs_f64(),
    );
    println!(
        "load: status reads during the load: {} (p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms), \
         none failed",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    println!(
        "load: server memory {} MiB idle, peak {} MiB; open files {} idle, peak {peak_fds}",
        idle.rss_kib / 1024,
        peak / 1024,
        idle.fds,
    );
    assert!(
        queued * 2 >= total,
        "most jobs were queued at once ({queued} of {total}): the load is what it says"
    );
    assert!(
        peak <= idle.rss_kib + MEMORY_HEADROOM_KIB,
        "the server's memory grew from {} MiB to {} MiB under the load",
        idle.rss_kib / 1024,
        peak / 1024
    );
    // One descriptor per connected client at most, and they are all gone.
    assert!(
        peak_fds <= idle.fds + waiters + 64,
        "open files: {} idle, {peak_fds} at the peak for {waiters} clients",
        idle.fds
    );
}
