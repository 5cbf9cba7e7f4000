//! Each fault of the demo shop makes the right scenario fail at the right step, with evidence:
//! file:line of the step, expected and actual, a screenshot and the page HTML.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

use common::*;

/// Runs the bundled scenarios against a shop started with `shop_args`; returns the JSON
/// result, the report directory and the exit code.
fn run_against(
    shop_args: &[&str],
    tmp: &Path,
) -> (serde_json::Value, std::path::PathBuf, Option<i32>, String) {
    let shop = Shop::start(shop_args);
    let report = tmp.join("report");
    let json = tmp.join("result.json");
    let output = gate(tmp)
        .args(["run", "--base-url", &shop.base_url, "--workers", "2"])
        .arg(examples())
        .arg("--json")
        .arg(&json)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    (
        read_json(&json),
        report,
        output.status.code(),
        text(&output),
    )
}

fn assert_failed_at(
    result: &serde_json::Value,
    report: &Path,
    name: &str,
    file: &str,
    needle: &str,
) -> serde_json::Value {
    let s = scenario(result, name).clone();
    assert_eq!(s["outcome"], "failed", "{s:#}");
    let path = examples().join(file);
    let failure = &s["attempts"].as_array().unwrap().last().unwrap()["failure"];
    let location = failure["location"].as_str().unwrap();
    let expected_line = step_line_of(&path, needle);
    assert!(
        location.ends_with(&format!("{file}:{expected_line}")),
        "failure at {location}, expected line {expected_line} ({needle}): {failure:#}"
    );
    // Evidence is kept for failures of the code under test.
    let last = s["attempts"].as_array().unwrap().last().unwrap();
    let shot = last["artifacts"]["failure_screenshot"]
        .as_str()
        .expect("failure screenshot");
    assert!(
        std::fs::read(report.join("artifacts").join(shot))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    let html = last["artifacts"]["page_html"].as_str().expect("page html");
    assert!(
        std::fs::read_to_string(report.join("artifacts").join(html))
            .unwrap()
            .contains("<html")
    );
    s
}

#[test]
fn broken_checkout_fails_checkout_and_api_at_the_order_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let (result, report, code, log) = run_against(&["--fault", "checkout-500"], tmp.path());
    assert_eq!(code, Some(1), "{log}");
    assert_eq!(scenario(&result, "login")["outcome"], "passed");
    let checkout = assert_failed_at(
        &result,
        &report,
        "checkout",
        "checkout.toml",
        "Thank you for your order",
    );
    // checkout has `retries = 1`: two attempts, both failed.
    assert_eq!(checkout["attempts"].as_array().unwrap().len(), 2);
    let failure = &checkout["attempts"][1]["failure"];
    assert_eq!(failure["expected"], "text \"Thank you for your order\"");
    assert!(
        failure["actual"]
            .as_str()
            .unwrap()
            .contains("Something went wrong"),
        "{failure:#}"
    );
    let attempt = &checkout["attempts"][1];
    assert!(
        attempt["failed_requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["status"] == 500),
        "the 500 is listed among failed requests: {attempt:#}"
    );
    let api = scenario(&result, "api");
    assert_eq!(api["outcome"], "failed");
    let location = api["attempts"][0]["failure"]["location"].as_str().unwrap();
    let line = step_line_of(&examples().join("api.toml"), "url = \"/api/orders\", json");
    assert!(
        location.ends_with(&format!("api.toml:{line}")),
        "{location}"
    );
    assert_eq!(api["attempts"][0]["failure"]["expected"], "status 201");
    assert!(log.contains("FAIL"), "{log}");
}

#[test]
fn slow_catalogue_fails_the_step_with_its_own_time_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let (result, report, code, log) =
        run_against(&["--fault", "slow-products", "--slow", "4s"], tmp.path());
    assert_eq!(code, Some(1), "{log}");
    let s = assert_failed_at(
        &result,
        &report,
        "checkout",
        "checkout.toml",
        "goto = \"/products\"",
    );
    let message = s["attempts"][0]["failure"]["message"].as_str().unwrap();
    assert!(message.contains("within 2s"), "{message}");
    assert_eq!(scenario(&result, "api")["outcome"], "passed");
}

#[test]
fn late_element_fails_the_click_that_waits_for_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (result, report, code, log) =
        run_against(&["--fault", "late-element", "--late", "30s"], tmp.path());
    assert_eq!(code, Some(1), "{log}");
    let s = assert_failed_at(
        &result,
        &report,
        "checkout",
        "checkout.toml",
        "click = \"#add-to-cart\"",
    );
    let message = s["attempts"][0]["failure"]["message"].as_str().unwrap();
    assert!(
        message.contains("#add-to-cart") && message.contains("not found"),
        "{message}"
    );
}
