//! Each fault of the demo shop makes the right scenario fail at the right step, with evidence:
//! file:line of the step, expected and actual, a screenshot and the page HTML.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

use common::*;

/// Runs the bundled scenarios against a shop started with `shop_args`, with an HTML report in
/// `<tmp>/report`.
fn run_against(shop_args: &[&str], tmp: &Path) -> RunOutput {
    let shop = Shop::start(shop_args);
    GateRun::new(tmp, &shop.base_url, examples())
        .workers(2)
        .arg("--report")
        .arg(tmp.join("report"))
        .output()
}

/// The run failed (exit code 1), and its `checkout` scenario at the step of `checkout.toml`
/// holding `needle`, with a failure screenshot and the page's HTML in the report of `tmp`;
/// returns the scenario.
fn checkout_failed_at(run: &RunOutput, tmp: &Path, needle: &str) -> serde_json::Value {
    assert_eq!(run.code, Some(1), "{}", run.log);
    let file = "checkout.toml";
    let report = tmp.join("report");
    let s = scenario(&run.json, "checkout").clone();
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
    let run = run_against(&["--fault", "checkout-500"], tmp.path());
    let checkout = checkout_failed_at(&run, tmp.path(), "Thank you for your order");
    assert_eq!(scenario(&run.json, "login")["outcome"], "passed");
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
    let api = scenario(&run.json, "api");
    assert_eq!(api["outcome"], "failed");
    let location = api["attempts"][0]["failure"]["location"].as_str().unwrap();
    let line = step_line_of(&examples().join("api.toml"), "url = \"/api/orders\", json");
    assert!(
        location.ends_with(&format!("api.toml:{line}")),
        "{location}"
    );
    assert_eq!(api["attempts"][0]["failure"]["expected"], "status 201");
    assert!(run.log.contains("FAIL"), "{}", run.log);
}

#[test]
fn slow_catalogue_fails_the_step_with_its_own_time_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_against(&["--fault", "slow-products", "--slow", "4s"], tmp.path());
    let s = checkout_failed_at(&run, tmp.path(), "goto = \"/products\"");
    let message = s["attempts"][0]["failure"]["message"].as_str().unwrap();
    assert!(message.contains("within 2s"), "{message}");
    assert_eq!(scenario(&run.json, "api")["outcome"], "passed");
}

#[test]
fn late_element_fails_the_click_that_waits_for_it() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_against(&["--fault", "late-element", "--late", "30s"], tmp.path());
    let s = checkout_failed_at(&run, tmp.path(), "click = \"#add-to-cart\"");
    let message = s["attempts"][0]["failure"]["message"].as_str().unwrap();
    assert!(
        message.contains("#add-to-cart") && message.contains("not found"),
        "{message}"
    );
}
