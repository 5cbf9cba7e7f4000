//! A browser killed with SIGKILL in the middle of a scenario is an infrastructure error: the
//! scenario is retried on a fresh browser and the run still completes. Nothing is left behind.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

#[test]
fn killed_browser_is_replaced_and_the_scenario_retried() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "3s"]);
    let tmp = tempfile::tempdir().unwrap();
    let crash = repo().join("tests/scenarios/crash");
    let running = GateRun::new(tmp.path(), &shop.base_url, crash)
        .workers(1)
        .spawn();

    // The browser is now waiting for the slow catalogue: kill it.
    shop.wait_for("GET /products");
    let profiles = tmp.path().to_string_lossy().to_string();
    let main: Vec<u32> = browser_pids(&profiles)
        .into_iter()
        .filter(|(_, main)| *main)
        .map(|(p, _)| p)
        .collect();
    assert_eq!(main.len(), 1, "one browser for one worker: {main:?}");
    signal(main[0], "-9");

    let run = running.wait();
    assert_eq!(run.code, Some(0), "{}", run.log);
    let s = scenario(&run.json, "slow-catalogue");
    assert_eq!(s["outcome"], "passed", "{s:#}");
    let attempts = s["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{s:#}");
    assert_eq!(attempts[0]["outcome"], "error");
    assert_eq!(attempts[0]["failure"]["kind"], "infrastructure");
    assert_eq!(attempts[1]["outcome"], "passed");

    // Every browser is gone and its profile removed.
    assert_no_browsers_under(tmp.path());
}

#[test]
fn browsers_of_a_killed_gate_are_ended_by_the_next_run() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "30s"]);
    let tmp = tempfile::tempdir().unwrap();
    let crash = repo().join("tests/scenarios/crash");
    let mut victim = GateRun::new(tmp.path(), &shop.base_url, crash)
        .workers(1)
        .arg("-q")
        .spawn();
    shop.wait_for("GET /products");
    let profiles = tmp.path().to_string_lossy().to_string();
    assert!(!browser_pids(&profiles).is_empty());
    // SIGKILL: gate gets no chance to close its browser.
    victim.kill();
    assert!(
        !browser_pids(&profiles).is_empty(),
        "the browser outlives a SIGKILLed gate"
    );

    let run = GateRun::new(tmp.path(), &shop.base_url, examples())
        .workers(1)
        .args(["--grep", "^api$"])
        .output();
    assert_eq!(run.code, Some(0), "{}", run.log);
    assert_no_browsers_under(tmp.path());
}
