//! `{{unique}}` differs for every attempt of every scenario: sign-ups with
//! `buyer-{{unique}}@example.com` on one worker, on two agents of one server running two runs at
//! once, and a retry of one, each get an address of their own. The demo shop refuses an address that already has an account, so a repeated value fails
//! the scenario that repeats it.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::time::Duration;

use common::events::EventStream;
use common::server::{Agent, Server, ServerSpec, sha, submit, wait_after};
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
    let events = EventStream::open(&server);
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
        let (code, out) = wait_after(&events, &server, commit, Duration::from_secs(180));
        assert_eq!(code, Some(0), "every sign-up of {commit} passed: {out}");
        let view = server.run_of(commit);
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
    assert_eq!(
        shop.count(|r| r == "POST /signup"),
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
    let run = GateRun::new(tmp.path(), &shop.base_url, &suite)
        .workers(1)
        .output();
    assert_eq!(run.code, Some(0), "{}\n{:#}", run.log, run.json);
    for name in &names {
        let s = scenario(&run.json, name);
        assert_eq!(s["outcome"], "passed", "{s:#}");
        assert_eq!(s["attempts"].as_array().unwrap().len(), 1, "{s:#}");
    }
    assert_eq!(
        shop.count(|r| r == "POST /signup"),
        4,
        "one sign-up each: {:?}",
        shop.requests()
    );
}

#[test]
fn a_retry_signs_up_with_a_new_address() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let suite = repo().join("tests/scenarios/sign-up-retry");
    let run = GateRun::new(tmp.path(), &shop.base_url, suite)
        .workers(1)
        .output();
    assert_eq!(run.code, Some(0), "{}\n{:#}", run.log, run.json);
    assert_eq!(scenario(&run.json, "first-customer")["outcome"], "passed");

    let retried = scenario(&run.json, "retried-sign-up");
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
