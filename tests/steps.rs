//! Every step kind and locator against the real demo shop in real Chromium; variables from the
//! command line, the environment and a secrets file; tag and name filters.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

#[test]
fn every_step_kind_works_against_the_demo_shop() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("result.json");
    let output = gate(tmp.path())
        .args([
            "run",
            "--base-url",
            &shop.base_url,
            "--workers",
            "1",
            "--json",
        ])
        .arg(&json)
        .arg("--artifacts")
        .arg(tmp.path().join("artifacts"))
        .arg(repo().join("tests/scenarios/steps"))
        .output()
        .unwrap();
    let result = read_json(&json);
    let s = scenario(&result, "every-step");
    assert_eq!(output.status.code(), Some(0), "{}\n{s:#}", text(&output));
    assert_eq!(s["outcome"], "passed");
    let shot = s["attempts"][0]["artifacts"]["screenshots"][0]["path"]
        .as_str()
        .unwrap();
    assert!(tmp.path().join("artifacts").join(shot).is_file());
}

fn vars_run(
    shop: &Shop,
    tmp: &std::path::Path,
    args: &[&str],
) -> (Option<i32>, serde_json::Value, String) {
    let secrets = tmp.join("secrets.env");
    std::fs::write(
        &secrets,
        format!("# test secrets\nSHOP_PASSWORD=\"{PASSWORD}\"\n"),
    )
    .unwrap();
    let json = tmp.join("result.json");
    let _ = std::fs::remove_file(&json);
    let output = gate(tmp)
        .env_remove("SHOP_PASSWORD")
        .env("GATE_VAR_expected_version", "v2")
        .args([
            "run",
            "--base-url",
            &shop.base_url,
            "--workers",
            "1",
            "--json",
        ])
        .arg(&json)
        .arg("--secrets")
        .arg(&secrets)
        .arg(repo().join("tests/scenarios/vars"))
        .args(args)
        .output()
        .unwrap();
    let result = if json.exists() {
        read_json(&json)
    } else {
        serde_json::Value::Null
    };
    (output.status.code(), result, text(&output))
}

#[test]
fn variables_come_from_the_command_line_environment_and_secrets_file() {
    let shop = Shop::start(&["--version", "v2"]);
    let tmp = tempfile::tempdir().unwrap();

    let (code, result, log) = vars_run(&shop, tmp.path(), &["--var", "who=demo"]);
    assert_eq!(code, Some(0), "{log}");
    assert_eq!(scenario(&result, "greeting")["outcome"], "passed");
    assert_eq!(
        scenario(&result, "health")["outcome"],
        "passed",
        "GATE_VAR_expected_version reached the scenario"
    );

    // Without --var the [vars] default applies, and the greeting no longer matches.
    let (code, result, log) = vars_run(&shop, tmp.path(), &[]);
    assert_eq!(code, Some(1), "{log}");
    let failure = &scenario(&result, "greeting")["attempts"][0]["failure"];
    assert_eq!(
        failure["expected"], "text \"Welcome, nobody\"",
        "{failure:#}"
    );
    assert!(!log.contains(PASSWORD));
}

#[test]
fn tags_and_grep_select_scenarios() {
    let shop = Shop::start(&["--version", "v2"]);
    let tmp = tempfile::tempdir().unwrap();
    let (code, result, log) = vars_run(&shop, tmp.path(), &["--tags", "api"]);
    assert_eq!(code, Some(0), "{log}");
    let names: Vec<&str> = result["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["health"]);

    let (code, result, log) =
        vars_run(&shop, tmp.path(), &["--grep", "^gree", "--var", "who=demo"]);
    assert_eq!(code, Some(0), "{log}");
    let names: Vec<&str> = result["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["greeting"]);

    let (code, _, log) = vars_run(&shop, tmp.path(), &["--tags", "nothing-has-this"]);
    assert_eq!(code, Some(2), "{log}");
    assert!(log.contains("no scenario matches"), "{log}");
}

#[test]
fn clicks_wait_for_a_still_target_and_fills_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("result.json");
    // The pages are data: URLs; the base URL is only required, never reached.
    let output = gate(tmp.path())
        .args(["run", "--base-url", "http://127.0.0.1:9", "--workers", "1"])
        .arg("--json")
        .arg(&json)
        .arg(repo().join("tests/scenarios/actionability"))
        .output()
        .unwrap();
    let result = read_json(&json);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));

    let moving = scenario(&result, "moving-click");
    assert_eq!(moving["outcome"], "failed", "{moving:#}");
    let message = moving["attempts"][0]["failure"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("moving ("),
        "a click on a moving target fails as such: {message}"
    );
    for name in ["moving-fill", "settling-click", "spinner-click"] {
        let s = scenario(&result, name);
        assert_eq!(s["outcome"], "passed", "{s:#}");
    }
}
