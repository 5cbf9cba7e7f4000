//! `{{unique}}` differs for every attempt of every scenario: sign-ups with
//! `buyer-{{unique}}@example.com` on one worker, on two agents of one server running two runs at
//! once, and a retry of one, each get an address of their own. The demo shop refuses an address that already has an account, so a repeated value fails
//! the scenario that repeats it.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::server::{Agent, READ_TOKEN, Server, ServerSpec, sha, submit, wait};
use common::*;

/// A customer signing up through the form, as QA writes it.
const SIGN_UP: &str = r#"
[vars]
email = "buyer-{{unique}}@example.com"

[[step]]
goto = "/signup"

[[step]]
fill = { label = "Email", value = "{{email}}" }

[[step]]
fill = { label = "Password", value = "correct-horse-{{unique}}" }

[[step]]
click = { role = "button", name = "Sign up" }

[[step]]
expect = { url = "/account" }

[[step]]
expect = { selector = "h1", text = "Welcome, {{email}}" }
"#;

/// `n` sign-up scenarios in `dir/suite`; their names.
fn sign_up_suite(dir: &std::path::Path, n: usize) -> (std::path::PathBuf, Vec<String>) {
    let suite = dir.join("suite");
    std::fs::create_dir(&suite).unwrap();
    let names: Vec<String> = (1..=n).map(|n| format!("sign-up-{n}")).collect();
    for name in &names {
        std::fs::write(
            suite.join(format!("{name}.toml")),
            format!("name = \"{name}\"\n{SIGN_UP}"),
        )
        .unwrap();
    }
    (suite, names)
}

#[test]
fn sign_ups_on_two_agents_in_two_concurrent_runs_each_get_their_own_address() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let (suite, names) = sign_up_suite(tmp.path(), 4);
    let spec = ServerSpec {
        workers: 0,
        scenarios: suite,
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let commits = [sha("unique one"), sha("unique two")];
    for commit in &commits {
        let (code, out) = submit(&server, commit, &shop.base_url, &[]);
        assert_eq!(code, Some(0), "{out}");
    }
    let _agents = [
        Agent::start(&server, tmp.path(), "a1", 1),
        Agent::start(&server, tmp.path(), "a2", 1),
    ];
    let mut runners = Vec::new();
    for commit in &commits {
        let (code, out) = wait(&server, commit, "3m");
        assert_eq!(code, Some(0), "every sign-up of {commit} passed: {out}");
        let (_, status) = server.get(&format!("/api/v1/commits/{commit}/status"), READ_TOKEN);
        let run = status["runs"][0]["id"].as_str().unwrap().to_string();
        let (_, view) = server.get(&format!("/api/v1/runs/{run}"), READ_TOKEN);
        let jobs = view["jobs"].as_array().unwrap();
        assert_eq!(jobs.len(), names.len(), "{view:#}");
        runners.extend(
            jobs.iter()
                .map(|j| j["runner"].as_str().unwrap().to_string()),
        );
    }
    for agent in ["agent:a1", "agent:a2"] {
        assert!(
            runners.iter().any(|r| r == agent),
            "{agent} ran some: {runners:?}"
        );
    }
    let sign_ups = shop
        .requests()
        .iter()
        .filter(|r| r.as_str() == "POST /signup")
        .count();
    assert_eq!(
        sign_ups,
        2 * names.len(),
        "one sign-up each: {:?}",
        shop.requests()
    );
}

#[test]
fn sign_ups_on_one_worker_each_get_their_own_address() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let (suite, names) = sign_up_suite(tmp.path(), 4);
    let json = tmp.path().join("result.json");
    let output = gate(tmp.path())
        .args(["run", "--base-url", &shop.base_url, "--workers", "1"])
        .arg("--json")
        .arg(&json)
        .arg(&suite)
        .output()
        .unwrap();
    let result = read_json(&json);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{result:#}",
        text(&output)
    );
    for name in &names {
        let s = scenario(&result, name);
        assert_eq!(s["outcome"], "passed", "{s:#}");
        assert_eq!(s["attempts"].as_array().unwrap().len(), 1, "{s:#}");
    }
    let sign_ups = shop
        .requests()
        .iter()
        .filter(|r| r.as_str() == "POST /signup")
        .count();
    assert_eq!(sign_ups, 4, "one sign-up each: {:?}", shop.requests());
}

#[test]
fn a_retry_signs_up_with_a_new_address() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("result.json");
    let output = gate(tmp.path())
        .args(["run", "--base-url", &shop.base_url, "--workers", "1"])
        .arg("--json")
        .arg(&json)
        .arg(repo().join("tests/scenarios/sign-up-retry"))
        .output()
        .unwrap();
    let result = read_json(&json);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{result:#}",
        text(&output)
    );
    assert_eq!(scenario(&result, "first-customer")["outcome"], "passed");

    let retried = scenario(&result, "retried-sign-up");
    assert_eq!(retried["outcome"], "flaky", "{retried:#}");
    let attempts = retried["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{retried:#}");
    // The first attempt signed up (as the second customer) and failed only where it was meant to.
    let failure = &attempts[0]["failure"];
    assert_eq!(
        failure["step_description"], "this is the third customer",
        "{failure:#}"
    );
    assert_eq!(failure["expected"], "3", "{failure:#}");
    assert_eq!(failure["actual"], "2", "{failure:#}");
    // The retry signed up again, with an address of its own, as the third.
    assert_eq!(attempts[1]["outcome"], "passed", "{retried:#}");
}
