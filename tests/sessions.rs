//! Session reuse: scenarios start from the login scenario's browser state; the login runs once,
//! and again when a scenario's session check finds the session gone. Retries that pass are
//! reported as flaky.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

fn run(
    dir: &str,
    shop: &Shop,
    tmp: &std::path::Path,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value, String) {
    let json = tmp.join("result.json");
    let output = gate(tmp)
        .args([
            "run",
            "--base-url",
            &shop.base_url,
            "--workers",
            "1",
            "--json",
        ])
        .arg(&json)
        .arg(repo().join(dir))
        .args(extra)
        .output()
        .unwrap();
    (output.status.code(), read_json(&json), text(&output))
}

#[test]
fn logged_out_session_is_renewed_by_logging_in_again() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let (code, result, log) = run("tests/scenarios/session", &shop, tmp.path(), &[]);
    assert_eq!(code, Some(0), "{log}");
    for name in ["login", "logout-everyone", "still-logged-in"] {
        assert_eq!(
            scenario(&result, name)["outcome"],
            "passed",
            "{name}: {result:#}"
        );
    }
    let logins = shop
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST /login"))
        .count();
    assert_eq!(
        logins,
        2,
        "one login at the start, one after everyone was logged out: {:?}",
        shop.requests()
    );
}

#[test]
fn pass_on_retry_is_flaky_and_fails_only_with_fail_on_flaky() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let (code, result, log) = run("tests/scenarios/flaky", &shop, tmp.path(), &[]);
    assert_eq!(code, Some(0), "flaky counts as passed by default: {log}");
    let s = scenario(&result, "second-time-lucky");
    assert_eq!(s["outcome"], "flaky", "{s:#}");
    assert_eq!(s["attempts"][0]["outcome"], "failed");
    assert_eq!(s["attempts"][1]["outcome"], "passed");
    assert!(log.contains("1 flaky"), "{log}");

    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, log) = run(
        "tests/scenarios/flaky",
        &shop,
        tmp.path(),
        &["--fail-on-flaky"],
    );
    assert_eq!(code, Some(1), "{log}");
}
