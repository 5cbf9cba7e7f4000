//! `--recycle-after N`: a worker replaces its browser with a fresh one after N attempts, and
//! says so; `0` keeps one browser for the whole run. The replaced browsers are gone afterwards.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

/// Five request-only scenarios, so that one worker runs them all in a row.
fn suite(dir: &std::path::Path) -> std::path::PathBuf {
    let suite = dir.join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    for i in 0..5 {
        std::fs::write(
            suite.join(format!("s{i}.toml")),
            format!(
                "name = \"s{i}\"\n\n[[step]]\nrequest = {{ url = \"/api/health\" }}\n\
                 expect = {{ status = 200 }}\n"
            ),
        )
        .unwrap();
    }
    suite
}

fn recycled(run: &RunOutput) -> usize {
    run.stderr
        .lines()
        .filter(|l| l.contains("worker 1: fresh browser after 2 attempts"))
        .count()
}

#[test]
fn a_worker_starts_a_fresh_browser_after_the_set_number_of_attempts() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let suite = suite(tmp.path());
    let run = GateRun::new(tmp.path(), &shop.base_url, &suite)
        .workers(1)
        .args(["--recycle-after", "2"])
        .output();
    assert_eq!(run.code, Some(0), "{}", run.log);
    // Attempts 1–2 in the first browser, 3–4 in the second, 5 in the third.
    assert_eq!(recycled(&run), 2, "{}", run.log);
    assert_no_browsers_under(tmp.path());

    let kept = GateRun::new(tmp.path(), &shop.base_url, &suite)
        .workers(1)
        .args(["--recycle-after", "0"])
        .output();
    assert_eq!(kept.code, Some(0), "{}", kept.log);
    assert!(!kept.stderr.contains("fresh browser"), "{}", kept.log);
}
