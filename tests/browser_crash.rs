//! A browser killed with SIGKILL in the middle of a scenario is an infrastructure error: the
//! scenario is retried on a fresh browser and the run still completes. Nothing is left behind.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::time::Duration;

use common::*;

#[test]
fn killed_browser_is_replaced_and_the_scenario_retried() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "3s"]);
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("result.json");
    let child = gate(tmp.path())
        .args([
            "run",
            "--base-url",
            &shop.base_url,
            "--workers",
            "1",
            "--json",
        ])
        .arg(&json)
        .arg(repo().join("tests/scenarios/crash"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    // The browser is now waiting for the slow catalogue: kill it.
    shop.wait_for_request(Duration::from_secs(60), |r| r.starts_with("GET /products"));
    let profiles = tmp.path().to_string_lossy().to_string();
    let main: Vec<u32> = browser_pids(&profiles)
        .into_iter()
        .filter(|(_, main)| *main)
        .map(|(p, _)| p)
        .collect();
    assert_eq!(main.len(), 1, "one browser for one worker: {main:?}");
    let status = std::process::Command::new("kill")
        .args(["-9", &main[0].to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let output = child.wait_with_output().unwrap();
    let log = text(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");
    let result = read_json(&json);
    let s = scenario(&result, "slow-catalogue");
    assert_eq!(s["outcome"], "passed", "{s:#}");
    let attempts = s["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{s:#}");
    assert_eq!(attempts[0]["outcome"], "error");
    assert_eq!(attempts[0]["failure"]["kind"], "infrastructure");
    assert_eq!(attempts[1]["outcome"], "passed");

    // Every browser is gone and its profile removed.
    assert!(
        browser_pids(&profiles).is_empty(),
        "browsers left: {:?}",
        browser_pids(&profiles)
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("gate-pool-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "profile directories left: {leftovers:?}"
    );
}

#[test]
fn browsers_of_a_killed_gate_are_ended_by_the_next_run() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "30s"]);
    let tmp = tempfile::tempdir().unwrap();
    let mut victim = gate(tmp.path())
        .args(["run", "--base-url", &shop.base_url, "--workers", "1", "-q"])
        .arg(repo().join("tests/scenarios/crash"))
        .spawn()
        .unwrap();
    shop.wait_for_request(Duration::from_secs(60), |r| r.starts_with("GET /products"));
    let profiles = tmp.path().to_string_lossy().to_string();
    assert!(!browser_pids(&profiles).is_empty());
    // SIGKILL: gate gets no chance to close its browser.
    victim.kill().unwrap();
    victim.wait().unwrap();
    assert!(
        !browser_pids(&profiles).is_empty(),
        "the browser outlives a SIGKILLed gate"
    );

    let output = gate(tmp.path())
        .args([
            "run",
            "--base-url",
            &shop.base_url,
            "--workers",
            "1",
            "--grep",
            "^api$",
        ])
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        browser_pids(&profiles).is_empty(),
        "left-over browsers: {:?}",
        browser_pids(&profiles)
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("gate-pool-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "profile directories left: {leftovers:?}"
    );
}
