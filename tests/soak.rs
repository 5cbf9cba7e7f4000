//! Soak: a long stream of browser scenarios through one `gate serve` with a four-worker pool.
//! The server's memory and open files, and the browsers' memory and process count, must level
//! off rather than grow with the scenarios run: each worker's browser is replaced after
//! `--recycle-after` attempts, and the replaced ones must really go.
//!
//! The suite runs a short soak; the long one is one command:
//!
//! ```sh
//! cargo build --release --bin gate
//! GATE_SOAK_SCENARIOS=3000 GATE_TEST_BIN=$PWD/target/release/gate \
//!     cargo nextest run --workspace --profile long -E 'binary(soak)' --no-capture
//! ```

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::events::EventStream;
use common::server::{READ_TOKEN, SUBMIT_TOKEN, Server, ServerSpec, sha};
use common::{Footprint, Shop, assert_no_browsers_under, browser_pids};

/// Browser scenarios per run.
const PER_RUN: usize = 20;
/// Attempts per browser before it is replaced: small, so that the short soak recycles each
/// worker's browser several times.
const RECYCLE_AFTER: &str = "15";

/// How a figure of a [`Sample`] is read.
type Measure = fn(&Sample) -> u64;

/// One look at the server and its browsers.
#[derive(Debug, Clone, Copy)]
struct Sample {
    server: Footprint,
    browsers: Footprint,
    /// Chromium processes of the pool (browsers and their renderers).
    processes: usize,
}

fn write_suite(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..PER_RUN {
        // Pages that load scripts, images and forms: what a browser accumulates.
        let (page, heading) = [
            ("/products", "Products"),
            ("/login", "Log in"),
            ("/", "Gate Demo Shop"),
        ][i % 3];
        let text = format!(
            "name = \"soak {i:02}\"\n\n[[step]]\ngoto = \"{page}\"\n\n\
             [[step]]\nexpect = {{ selector = \"h1\", text = \"{heading}\" }}\n"
        );
        std::fs::write(dir.join(format!("soak-{i:02}.toml")), text).unwrap();
    }
}

#[test]
fn four_workers_level_off_over_a_long_stream_of_scenarios() {
    let wanted: usize = std::env::var("GATE_SOAK_SCENARIOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let runs = wanted.div_ceil(PER_RUN).max(3);
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    write_suite(&suite);
    let spec = ServerSpec {
        workers: 4,
        scenarios: suite,
        lease: "60s",
        extra: format!("recycle-after = {RECYCLE_AFTER}"),
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let pid = server.child.id();
    let profiles = tmp.path().to_string_lossy().into_owned();
    let events = EventStream::open(&server);

    // Sampled after each run, from a thread so that the browsers' own churn is seen too.
    let samples: Arc<Mutex<Vec<(usize, Sample)>>> = Arc::default();
    let mains: Arc<Mutex<BTreeSet<u32>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(Mutex::new(0usize));
    let watcher = {
        let (samples, mains, done, progress) = (
            samples.clone(),
            mains.clone(),
            done.clone(),
            progress.clone(),
        );
        let profiles = profiles.clone();
        thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let pids = browser_pids(&profiles);
                mains
                    .lock()
                    .unwrap()
                    .extend(pids.iter().filter(|(_, main)| *main).map(|(p, _)| *p));
                if let Some(server) = Footprint::of(pid) {
                    let sample = Sample {
                        server,
                        browsers: Footprint::total(pids.iter().map(|(p, _)| *p)),
                        processes: pids.len(),
                    };
                    let at = *progress.lock().unwrap();
                    samples.lock().unwrap().push((at, sample));
                }
                // A measurement interval, not a wait for something to happen.
                thread::park_timeout(Duration::from_millis(200));
            }
        })
    };

    let started = Instant::now();
    // Two runs in the queue at a time: the pool never idles, the queue stays short.
    let commits: Vec<String> = (0..runs).map(|i| sha(&format!("soak {i}"))).collect();
    let submit = |commit: &str| {
        let body = serde_json::json!({ "commit": commit, "base_url": shop.base_url });
        let (status, run) = server.post("/api/v1/runs", SUBMIT_TOKEN, &body);
        assert_eq!(status, 201, "{run:#}");
    };
    submit(&commits[0]);
    for (i, commit) in commits.iter().enumerate() {
        if let Some(next) = commits.get(i + 1) {
            submit(next);
        }
        events.wait_for_run_of(&server, commit, Duration::from_secs(600));
        *progress.lock().unwrap() = i + 1;
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    watcher.thread().unpark();
    watcher.join().unwrap();

    for commit in &commits {
        let (status, verdict) = server.get(&format!("/api/v1/commits/{commit}/status"), READ_TOKEN);
        assert_eq!(status, 200, "{verdict:#}");
        assert_eq!(verdict["state"], "success", "{commit}: {verdict:#}");
    }

    let samples = samples.lock().unwrap().clone();
    let mains = mains.lock().unwrap().len();
    let total = runs * PER_RUN;
    // The first third of the runs warms up (browsers start, caches fill); the last third must
    // not need more than the middle third did, give or take noise.
    let third = |k: usize| {
        samples
            .iter()
            .filter(|(at, _)| *at >= k * runs / 3 && *at < (k + 1) * runs / 3)
            .map(|(_, s)| *s)
            .collect::<Vec<_>>()
    };
    let (middle, last) = (third(1), third(2));
    assert!(
        !middle.is_empty() && !last.is_empty(),
        "samples in each third: {} runs, {} samples",
        runs,
        samples.len()
    );
    let peak = |set: &[Sample], f: Measure| set.iter().map(f).max().unwrap_or(0);
    let rows: [(&str, Measure, u64, u64); 5] = [
        ("server memory (KiB)", |s| s.server.rss_kib, 125, 32 * 1024),
        ("server open files", |s| s.server.fds as u64, 100, 16),
        (
            "browser memory (KiB)",
            |s| s.browsers.rss_kib,
            150,
            256 * 1024,
        ),
        ("browser open files", |s| s.browsers.fds as u64, 150, 64),
        ("browser processes", |s| s.processes as u64, 100, 8),
    ];
    let mut report = Vec::new();
    for (what, f, percent, slack) in rows {
        let (m, l) = (peak(&middle, f), peak(&last, f));
        report.push(format!(
            "{what}: middle third peak {m}, last third peak {l}"
        ));
        assert!(
            l <= m * percent / 100 + slack,
            "{what} grew: peak {m} over the middle third of the soak, {l} over the last"
        );
    }
    println!(
        "soak: {total} scenarios in {runs} runs on 4 workers in {:.0} s ({:.1} scenarios/s), \
         every verdict success; {mains} browsers started (recycled after {RECYCLE_AFTER} \
         attempts)\n  {}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        report.join("\n  ")
    );
    // Each worker's browser was replaced, again and again.
    let recycled_at_least = total / RECYCLE_AFTER.parse::<usize>().unwrap() / 2;
    assert!(
        mains >= 4 + recycled_at_least,
        "{mains} browsers seen for {total} scenarios recycled after {RECYCLE_AFTER}"
    );

    let mut server = server;
    assert!(server.stop().success());
    assert_no_browsers_under(tmp.path());
}
