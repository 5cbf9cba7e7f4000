//! Session reuse: scenarios start from the login scenario's browser state; the login runs once,
//! and again when a scenario's session check finds the session gone. Retries that pass are
//! reported as flaky.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

/// The scenarios of `tests/scenarios/<dir>` on one worker.
fn scenarios_in(dir: &str, shop: &Shop, tmp: &std::path::Path) -> GateRun {
    GateRun::new(
        tmp,
        &shop.base_url,
        repo().join("tests/scenarios").join(dir),
    )
    .workers(1)
}

#[test]
fn logged_out_session_is_renewed_by_logging_in_again() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let run = scenarios_in("session", &shop, tmp.path()).output();
    assert_eq!(run.code, Some(0), "{}", run.log);
    for name in ["login", "logout-everyone", "still-logged-in"] {
        assert_eq!(
            scenario(&run.json, name)["outcome"],
            "passed",
            "{name}: {:#}",
            run.json
        );
    }
    assert_eq!(
        shop.count(|r| r.starts_with("POST /login")),
        2,
        "one login at the start, one after everyone was logged out: {:?}",
        shop.requests()
    );
}

#[test]
fn pass_on_retry_is_flaky_and_fails_only_with_fail_on_flaky() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let run = scenarios_in("flaky", &shop, tmp.path()).output();
    assert_eq!(
        run.code,
        Some(0),
        "flaky counts as passed by default: {}",
        run.log
    );
    let s = scenario(&run.json, "second-time-lucky");
    assert_eq!(s["outcome"], "flaky", "{s:#}");
    assert_eq!(s["attempts"][0]["outcome"], "failed");
    assert_eq!(s["attempts"][1]["outcome"], "passed");
    assert!(run.log.contains("1 flaky"), "{}", run.log);

    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let strict = scenarios_in("flaky", &shop, tmp.path())
        .arg("--fail-on-flaky")
        .output();
    assert_eq!(strict.code, Some(1), "{}", strict.log);
}
