//! Ctrl-C stops a run cleanly: browsers closed, partial reports written, exit code 130.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::time::Duration;

use common::*;

#[test]
fn sigint_writes_partial_reports_and_leaves_no_browser() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "20s"]);
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("result.json");
    let junit = tmp.path().join("junit.xml");
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
        .arg("--junit")
        .arg(&junit)
        .arg(repo().join("tests/scenarios/crash"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    shop.wait_for_request(Duration::from_secs(60), |r| r.starts_with("GET /products"));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let log = text(&output);
    assert_eq!(output.status.code(), Some(130), "{log}");
    let result = read_json(&json);
    assert_eq!(result["interrupted"], true);
    assert_eq!(scenario(&result, "slow-catalogue")["outcome"], "cancelled");
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("slow-catalogue")
    );
    let profiles = tmp.path().to_string_lossy().to_string();
    assert!(
        browser_pids(&profiles).is_empty(),
        "browsers left after Ctrl-C"
    );
}
