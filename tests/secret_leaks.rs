//! Secrets stay secret: a real `gate serve` (debug logging) with a secret in each place gate
//! takes one — a scenario's `{{secret.…}}` (typed into a form, expected in a failing step, sent
//! in a request header), the webhook secret, the status API token, the SMTP password, the
//! Slack webhook URL and the proxy admin token (all from the environment, as `gate.toml` names
//! them), the API tokens themselves — is driven through a failing run, a signed webhook, a
//! status post and a digest that cannot be delivered, and a forced deploy whose hook prints
//! the proxy token. Then every file gate wrote (database, WAL, artifacts, reports), its log,
//! and every API answer and page are searched: no secret appears in any of them, while the
//! redaction marker and the failures that carried the secrets do.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::server::*;
use common::*;

/// Each planted secret: (environment variable, value). Values are long and unlike anything
/// else, so a match is a leak.
const SECRETS: [(&str, &str); 6] = [
    ("PLANTED_SCENARIO_SECRET", "scn-7f3a9c1e5b2d4f60a8e1"),
    ("PLANTED_WEBHOOK_SECRET", "whk-2b8e6d4c0a9f1e3d5c7b"),
    ("PLANTED_STATUS_TOKEN", "ghp-9d1c3e5f7a2b4c6d8e0f"),
    ("PLANTED_SMTP_PASSWORD", "smtp-4e6a8c0b2d1f3e5a7c9d"),
    (
        "PLANTED_SLACK_WEBHOOK",
        "http://127.0.0.1:9/services/T0/B0/slk-6c8e0a2b4d",
    ),
    ("PLANTED_PROXY_TOKEN", "prx-1a3c5e7b9d0f2a4c6e8b"),
];

/// What is searched for: each secret, and the slack URL's secret part on its own.
fn needles() -> Vec<(&'static str, String)> {
    let mut needles: Vec<(&str, String)> = SECRETS
        .iter()
        .map(|(name, value)| (*name, (*value).to_string()))
        .collect();
    needles.push(("PLANTED_SLACK_WEBHOOK (path)", "slk-6c8e0a2b4d".into()));
    for (name, token) in [
        ("ADMIN_TOKEN", ADMIN_TOKEN),
        ("SUBMIT_TOKEN", SUBMIT_TOKEN),
        ("READ_TOKEN", READ_TOKEN),
    ] {
        needles.push((name, token.to_string()));
    }
    needles
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const SCENARIO: &str = r#"name = "planted"
description = "Carries a secret into a form, a failing expectation and a request header"

[[step]]
goto = "/login"

[[step]]
fill = { label = "Password", value = "{{secret.PLANTED_SCENARIO_SECRET}}" }

[[step]]
request = { url = "/api/cart", headers = { authorization = "Bearer {{secret.PLANTED_SCENARIO_SECRET}}" } }

[[step]]
expect = { selector = "h1", text = "Welcome, {{secret.PLANTED_SCENARIO_SECRET}}" }
"#;

fn config(dir: &Path, shop: &str) -> PathBuf {
    let scenarios = dir.join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    std::fs::write(scenarios.join("planted.toml"), SCENARIO).unwrap();
    let extra = format!(
        r#"
[webhook]
secret-env = "PLANTED_WEBHOOK_SECRET"
base-url = "{shop}"

[publish]
api-url = "http://127.0.0.1:{status}"
repository = "acme/shop"
token-env = "PLANTED_STATUS_TOKEN"

[digest]
schedule = "monday 08:00"

[digest.email]
host = "127.0.0.1"
port = {smtp}
starttls = "off"
username = "gate"
password-env = "PLANTED_SMTP_PASSWORD"
from = "gate@example.com"
to = ["team@example.com"]
timeout = "2s"

[digest.slack]
webhook-url-env = "PLANTED_SLACK_WEBHOOK"
timeout = "2s"

[[services]]
name = "shop"
router = {{ kind = "proxy", admin-url = "http://127.0.0.1:{proxy}", token-env = "PLANTED_PROXY_TOKEN" }}
stable = {{ version = "v1", url = "{shop}" }}
hooks = {{ up = "echo bringing {{version}} up with token $PLANTED_PROXY_TOKEN >&2; exit 3" }}
"#,
        status = closed_port(),
        smtp = closed_port(),
        proxy = closed_port(),
    );
    write_config(
        dir,
        &ServerSpec {
            workers: 1,
            scenarios,
            extra,
            ..ServerSpec::sqlite(dir)
        },
    )
}

fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl").arg("-s").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_planted_secret_reaches_any_file_log_answer_or_page() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let shop = Shop::start(&[]);
    let config = config(dir, &shop.base_url);
    let log = dir.join("server.log");
    let mut env = SECRETS.to_vec();
    env.push(("GATE_LOG", "debug,chromiumoxide=off"));
    let args = [std::ffi::OsStr::new("--config"), config.as_os_str()];
    let mut server = Server::serve_logging(dir, &args, &env, Some(&log));
    let url = server.url.clone();
    let bearer = |token: &str| format!("Authorization: Bearer {token}");

    // A failing run that used the scenario secret three ways.
    let commit = sha("planted");
    assert_eq!(submit(&server, &commit, &shop.base_url, &[]).0, Some(0));
    let (code, said) = wait(&server, &commit, "120s");
    assert_eq!(code, Some(1), "{said}");

    // A signed push: the webhook secret checks it.
    let body = std::fs::read_to_string(repo().join("gate-server/tests/webhook/push.json")).unwrap();
    let signature = gate_server::webhook::sign(SECRETS[1].1.as_bytes(), body.as_bytes());
    let answer = curl(&[
        "-X",
        "POST",
        "-H",
        "content-type: application/json",
        "-H",
        "x-github-event: push",
        "-H",
        "x-github-delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "-H",
        &format!("x-hub-signature-256: {signature}"),
        "--data-binary",
        &body,
        &format!("{url}/api/v1/webhooks/github"),
    ]);
    assert!(
        answer.contains("6dcb09b5b57875f334f61aebed695e2e4193db5e"),
        "{answer}"
    );

    // The digest, now: neither channel answers.
    let sent = gate(dir)
        .args([
            "digest",
            "--send-now",
            "--server",
            &url,
            "--token",
            ADMIN_TOKEN,
        ])
        .output()
        .unwrap();
    assert!(sent.status.code().is_some(), "{}", text(&sent));
    wait_until(
        "both digest deliveries to fail once",
        Duration::from_secs(60),
        || {
            let (_, list) = server.get("/api/v1/digests", READ_TOKEN);
            list["digests"]
                .as_array()
                .is_some_and(|all| all.iter().filter(|d| d["last_error"].is_string()).count() >= 2)
        },
    );
    // The commit status: its API is closed, the failure is logged.
    wait_until(
        "a failed status post in the log",
        Duration::from_secs(60),
        || std::fs::read_to_string(&log).is_ok_and(|l| l.contains("retrying in")),
    );

    // A forced deploy whose hook prints the proxy token, then fails.
    let deploy = gate(dir)
        .args(["deploy", "--server", &url, "--token", ADMIN_TOKEN])
        .args(["--service", "shop", "--version", "v2", "--commit", &commit])
        .args(["--force", "--reason", "testing the redaction"])
        .output()
        .unwrap();
    assert_eq!(deploy.status.code(), Some(1), "{}", text(&deploy));

    // Everything the server answers, as a client and a browser see it.
    let run = server.run_of(&commit);
    let id = run["id"].as_str().unwrap().to_string();
    let (_, deployments) = server.get("/api/v1/deployments", READ_TOKEN);
    let deployment = deployments["deployments"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut answers: Vec<(String, String)> = Vec::new();
    for path in [
        format!("/api/v1/runs/{id}"),
        format!("/api/v1/runs/{id}/junit.xml"),
        format!("/api/v1/runs/{id}/report/"),
        format!("/api/v1/commits/{commit}/status"),
        "/api/v1/runs".to_string(),
        "/api/v1/deployments".to_string(),
        format!("/api/v1/deployments/{deployment}"),
        format!("/api/v1/deployments/{deployment}/postmortem"),
        "/api/v1/audit".to_string(),
        "/api/v1/digests".to_string(),
        "/api/v1/digests/preview".to_string(),
        "/api/v1/review".to_string(),
        "/api/v1/report".to_string(),
        "/metrics".to_string(),
        "/runs".to_string(),
        format!("/runs/{id}"),
        format!("/commits/{commit}"),
        "/deployments".to_string(),
        format!("/deployments/{deployment}"),
        "/digests".to_string(),
        "/dashboard".to_string(),
        "/review".to_string(),
        "/flow".to_string(),
    ] {
        let body = curl(&["-H", &bearer(READ_TOKEN), &format!("{url}{path}")]);
        assert!(!body.is_empty(), "{path} answered nothing");
        answers.push((path, body));
    }
    // Each artifact the report links to.
    let report = answers[2].1.clone();
    for href in report
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        if href.starts_with("artifacts/") {
            let body = curl(&[
                "-H",
                &bearer(READ_TOKEN),
                &format!("{url}/api/v1/runs/{id}/report/{href}"),
            ]);
            answers.push((href.to_string(), body));
        }
    }
    // The server stops cleanly, flushing its database and logs.
    assert!(server.stop().success());

    // The secrets were used: the run failed at the planted expectation, redacted, and the
    // deploy failed with the hook's output in its log.
    let junit = &answers[1].1;
    assert!(junit.contains("Welcome, ***"), "{junit}");
    let deployment_log = &answers[6].1;
    assert!(
        deployment_log.contains("bringing v2 up with token ***"),
        "{deployment_log}"
    );
    let artifacts = answers
        .iter()
        .filter(|(p, _)| p.starts_with("artifacts/"))
        .count();
    assert!(artifacts > 0, "the report links its artifacts: {report}");

    let mut leaks = Vec::new();
    let mut searched = 0;
    for file in files_under(dir) {
        if file.starts_with(dir.join("scenarios")) {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap_or_default();
        searched += 1;
        for (name, needle) in needles() {
            if contains(&bytes, needle.as_bytes()) {
                leaks.push(format!("{name} in {}", file.display()));
            }
        }
    }
    for (path, body) in &answers {
        for (name, needle) in needles() {
            if body.contains(&needle) {
                leaks.push(format!("{name} in the answer to {path}"));
            }
        }
    }
    assert!(
        searched >= 3,
        "the database, its log and artifacts: {searched} files"
    );
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
