//! Ctrl-C stops a run cleanly: browsers closed, partial reports written, exit code 130.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

#[test]
fn sigint_writes_partial_reports_and_leaves_no_browser() {
    let shop = Shop::start(&["--fault", "slow-products", "--slow", "20s"]);
    let tmp = tempfile::tempdir().unwrap();
    let junit = tmp.path().join("junit.xml");
    let running = GateRun::new(
        tmp.path(),
        &shop.base_url,
        repo().join("tests/scenarios/crash"),
    )
    .workers(1)
    .arg("--junit")
    .arg(&junit)
    .spawn();
    shop.wait_for("GET /products");
    running.signal("-INT");
    let run = running.wait();
    assert_eq!(run.code, Some(130), "{}", run.log);
    assert_eq!(run.json["interrupted"], true);
    assert_eq!(
        scenario(&run.json, "slow-catalogue")["outcome"],
        "cancelled"
    );
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
