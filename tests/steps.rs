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
    let run = GateRun::new(
        tmp.path(),
        &shop.base_url,
        repo().join("tests/scenarios/steps"),
    )
    .workers(1)
    .arg("--artifacts")
    .arg(tmp.path().join("artifacts"))
    .output();
    let s = scenario(&run.json, "every-step");
    assert_eq!(run.code, Some(0), "{}\n{s:#}", run.log);
    assert_eq!(s["outcome"], "passed");
    let shot = s["attempts"][0]["artifacts"]["screenshots"][0]["path"]
        .as_str()
        .unwrap();
    assert!(tmp.path().join("artifacts").join(shot).is_file());
}

/// `tests/scenarios/vars` with the secret from a secrets file (not the environment), one
/// variable from the environment, and `args`.
fn vars_run(shop: &Shop, tmp: &std::path::Path, args: &[&str]) -> RunOutput {
    let secrets = tmp.join("secrets.env");
    std::fs::write(
        &secrets,
        format!("# test secrets\nSHOP_PASSWORD=\"{PASSWORD}\"\n"),
    )
    .unwrap();
    GateRun::new(tmp, &shop.base_url, repo().join("tests/scenarios/vars"))
        .workers(1)
        .env_remove("SHOP_PASSWORD")
        .env("GATE_VAR_expected_version", "v2")
        .arg("--secrets")
        .arg(&secrets)
        .args(args)
        .output()
}

#[test]
fn variables_come_from_the_command_line_environment_and_secrets_file() {
    let shop = Shop::start(&["--version", "v2"]);
    let tmp = tempfile::tempdir().unwrap();

    let run = vars_run(&shop, tmp.path(), &["--var", "who=demo"]);
    assert_eq!(run.code, Some(0), "{}", run.log);
    assert_eq!(scenario(&run.json, "greeting")["outcome"], "passed");
    assert_eq!(
        scenario(&run.json, "health")["outcome"],
        "passed",
        "GATE_VAR_expected_version reached the scenario"
    );

    // Without --var the [vars] default applies, and the greeting no longer matches.
    let run = vars_run(&shop, tmp.path(), &[]);
    assert_eq!(run.code, Some(1), "{}", run.log);
    let failure = &scenario(&run.json, "greeting")["attempts"][0]["failure"];
    assert_eq!(
        failure["expected"], "text \"Welcome, nobody\"",
        "{failure:#}"
    );
    assert!(!run.log.contains(PASSWORD));
}

#[test]
fn tags_and_grep_select_scenarios() {
    let shop = Shop::start(&["--version", "v2"]);
    let tmp = tempfile::tempdir().unwrap();
    let run = vars_run(&shop, tmp.path(), &["--tags", "api"]);
    assert_eq!(run.code, Some(0), "{}", run.log);
    assert_eq!(scenario_names(&run.json), ["health"]);

    let run = vars_run(&shop, tmp.path(), &["--grep", "^gree", "--var", "who=demo"]);
    assert_eq!(run.code, Some(0), "{}", run.log);
    assert_eq!(scenario_names(&run.json), ["greeting"]);

    let run = vars_run(&shop, tmp.path(), &["--tags", "nothing-has-this"]);
    assert_eq!(run.code, Some(2), "{}", run.log);
    assert!(run.log.contains("no scenario matches"), "{}", run.log);
}

#[test]
fn clicks_wait_for_a_still_target_and_fills_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    // The pages are data: URLs; the base URL is only required, never reached.
    let suite = repo().join("tests/scenarios/actionability");
    let run = GateRun::new(tmp.path(), "http://127.0.0.1:9", suite)
        .workers(1)
        .output();
    assert_eq!(run.code, Some(1), "{}", run.log);

    let moving = scenario(&run.json, "moving-click");
    assert_eq!(moving["outcome"], "failed", "{moving:#}");
    let message = moving["attempts"][0]["failure"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("moving ("),
        "a click on a moving target fails as such: {message}"
    );
    for name in ["moving-fill", "settling-click", "spinner-click"] {
        let s = scenario(&run.json, name);
        assert_eq!(s["outcome"], "passed", "{s:#}");
    }
}
