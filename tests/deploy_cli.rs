//! The deploy commands, as the real `gate` binary against a real `gate serve`: usage errors
//! name the flag (exit 2) before any call; a commit with no green run is refused with the
//! server's message (exit 2) and audited; a forced deploy whose version does not come up is
//! followed to its end in plain lines (exit 1, with the reason); a deployment in progress is
//! found by its service and steered; listings parse; the audit log is listed and exported
//! through every page, verified, and a changed entry is named (exit 1); a postmortem is
//! written. The services' routers are gate proxies that are not running: these tests never get
//! a canary to take traffic (the canary end to end with a real proxy is tested elsewhere).

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::server::*;
use common::*;

/// The environment variable holding the (unused) proxy admin token.
const PROXY_TOKEN_ENV: &str = "GATE_TEST_PROXY_TOKEN";

/// A `[[services]]` entry whose router is a gate proxy nobody runs, with this up hook.
fn service(name: &str, up: &str) -> String {
    format!(
        r#"
[[services]]
name = "{name}"
router = {{ kind = "proxy", admin-url = "http://127.0.0.1:1", token-env = "{PROXY_TOKEN_ENV}" }}
stable = {{ version = "v1", url = "http://127.0.0.1:9" }}
hooks = {{ up = "{up}" }}
"#
    )
}

/// A server without browsers that deploys `services`.
fn server(dir: &Path, services: &[String]) -> Server {
    let spec = ServerSpec {
        workers: 0,
        extra: services.concat(),
        ..ServerSpec::sqlite(dir)
    };
    Server::start_with_env(dir, &spec, &[(PROXY_TOKEN_ENV, "proxy-token-not-used")])
}

/// `gate <args>` against `server` with `token`; the server flags come first.
fn gate_at(dir: &Path, server: &Server, token: &str, args: &[&str]) -> Output {
    gate(dir)
        .arg(args[0])
        .args(["--server", &server.url, "--token", token])
        .args(&args[1..])
        .output()
        .unwrap()
}

/// `gate audit <sub> <args>` against `server`.
fn audit(dir: &Path, server: &Server, sub: &str, args: &[&str]) -> Output {
    gate(dir)
        .args(["audit", sub, "--server", &server.url, "--token", READ_TOKEN])
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The entries `gate audit export` prints, one JSON value a line.
fn exported(dir: &Path, server: &Server, args: &[&str]) -> Vec<serde_json::Value> {
    let out = audit(dir, server, "export", args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn deployments_json(dir: &Path, server: &Server, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["deployments", "--json"];
    all.extend_from_slice(args);
    let out = gate_at(dir, server, READ_TOKEN, &all);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
}

#[test]
fn usage_errors_name_the_flag_and_exit_2_before_any_call() {
    let tmp = tempfile::tempdir().unwrap();
    // Nothing listens here: a usage error must come before any call.
    let server = ["--server", "http://127.0.0.1:1", "--token", "t"];
    let sha = sha("a commit");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "deploy",
                "--service",
                "shop",
                "--version",
                "v2",
                "--commit",
                "abc123",
            ],
            "--commit",
        ),
        (
            &[
                "deploy",
                "--service",
                "shop",
                "--version",
                "v 2",
                "--commit",
                &sha,
            ],
            "--version",
        ),
        (
            &[
                "deploy",
                "--service",
                "shop",
                "--version",
                "v2",
                "--commit",
                &sha,
                "--force",
            ],
            "--reason",
        ),
        (
            &[
                "rollback",
                "--service",
                "shop",
                "--to",
                "v1",
                "--to-time",
                "14:28",
                "--reason",
                "r",
            ],
            "--to-time",
        ),
        (
            &[
                "rollback",
                "--service",
                "shop",
                "--to-time",
                "25:00",
                "--reason",
                "r",
            ],
            "--to-time",
        ),
        (
            &["rollback", "--service", "shop", "--reason", " "],
            "--reason",
        ),
        (&["abort", "--service", "shop"], "--reason"),
        (&["promote"], "--service"),
        (&["promote", "some-id", "--service", "shop"], "--service"),
        (&["audit", "list", "--since", "yesterday"], "--since"),
        (&["deployments", "--limit", "0"], "--limit"),
    ];
    for (args, flag) in cases {
        let out = gate(tmp.path())
            .args(args.iter().take_while(|a| !a.starts_with("--")))
            .args(server)
            .args(args.iter().skip_while(|a| !a.starts_with("--")))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let err = stderr(&out);
        assert!(err.contains(flag), "{args:?} names {flag}: {err}");
        assert!(
            !err.contains("cannot reach"),
            "{args:?} called the server: {err}"
        );
    }
}

#[test]
fn a_commit_without_a_green_run_is_refused_audited_and_the_chain_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let server = server(tmp.path(), &[service("shop", "echo http://127.0.0.1:9")]);

    let fresh = audit(tmp.path(), &server, "verify", &[]);
    assert_eq!(fresh.status.code(), Some(0), "{}", text(&fresh));
    let said = stdout(&fresh);
    // A fresh server's only entry: its first start with this configuration.
    assert!(said.contains("holds: 1 entry,"), "{said}");
    let head = said
        .split("head ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_default()
        .to_string();
    assert!(
        head.len() == 64 && head.chars().all(|c| c.is_ascii_hexdigit()),
        "the head is a SHA-256: {said}"
    );

    let commit = sha("red");
    let refused = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &[
            "deploy",
            "--service",
            "shop",
            "--version",
            "v2",
            "--commit",
            &commit,
        ],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("deploy refused")
            && err.contains("has no gate run")
            && err.contains("--force --reason"),
        "the server's message, which says what to do: {err}"
    );

    let unknown = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &[
            "deploy",
            "--service",
            "cart",
            "--version",
            "v2",
            "--commit",
            &commit,
        ],
    );
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(
        stderr(&unknown).contains("this server deploys shop"),
        "{}",
        text(&unknown)
    );

    let list = audit(tmp.path(), &server, "list", &[]);
    assert_eq!(list.status.code(), Some(0), "{}", text(&list));
    let table = stdout(&list);
    assert!(
        table.contains("deploy_refused") && table.contains("has no gate run"),
        "{table}"
    );
    let entries = exported(tmp.path(), &server, &["--service", "shop"]);
    let refusal = entries
        .iter()
        .find(|e| e["action"] == "deploy_refused")
        .unwrap_or_else(|| panic!("{entries:?}"));
    assert_eq!(refusal["commit"], commit.as_str());
    assert_eq!(refusal["actor"], "admin");

    let verified = audit(tmp.path(), &server, "verify", &[]);
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let all = exported(tmp.path(), &server, &[]);
    assert!(
        stdout(&verified).contains(&format!("holds: {} entries", all.len())),
        "{}",
        text(&verified)
    );

    // Someone with the database drops the guard and rewrites the refusal's reason.
    let db = tmp.path().join("gate.db");
    let tampered = Command::new("sqlite3")
        .arg(&db)
        .arg(
            "DROP TRIGGER audit_log_no_update; \
             UPDATE audit_log SET reason = 'nothing happened' WHERE action = 'deploy_refused';",
        )
        .output();
    match tampered {
        Ok(out) if out.status.success() => {
            let broken = audit(tmp.path(), &server, "verify", &[]);
            assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
            let seq = refusal["seq"].as_u64().unwrap();
            assert!(
                stderr(&broken).contains(&format!("broken at entry #{seq}")),
                "names the first bad entry: {}",
                text(&broken)
            );
        }
        Ok(out) => panic!("sqlite3 failed: {}", text(&out)),
        Err(e) => eprintln!("skipping the tampering check: no sqlite3 ({e})"),
    }
}

#[test]
fn a_forced_deploy_that_does_not_come_up_is_followed_to_its_end() {
    let tmp = tempfile::tempdir().unwrap();
    let server = server(
        tmp.path(),
        &[service("shop", "echo starting {version} >&2; exit 3")],
    );
    let commit = sha("forced");
    let started = Instant::now();
    let out = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &[
            "deploy",
            "--service",
            "shop",
            "--version",
            "v2",
            "--commit",
            &commit,
            "--force",
            "--reason",
            "<script>hotfix</script>",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(started.elapsed() < Duration::from_secs(60));
    let (said, err) = (stdout(&out), stderr(&out));
    assert!(
        said.starts_with("deployment ") && said.contains("overriding the gate"),
        "{said}"
    );
    assert!(
        said.contains("pending: bringing v2 up") && said.contains("hook: "),
        "a line per change: {said}"
    );
    assert!(
        !said.contains('\u{1b}'),
        "no ANSI when not on a terminal: {said:?}"
    );
    assert!(err.contains("failed: v2 of shop did not come up"), "{err}");
    assert!(
        err.contains("why: ") && err.contains("exit"),
        "says why: {err}"
    );

    let list = deployments_json(tmp.path(), &server, &["--service", "shop"]);
    let d = &list["deployments"][0];
    assert_eq!(d["phase"], "failed", "{list:#}");
    assert_eq!(d["forced"], true);
    assert_eq!(d["reason"], "<script>hotfix</script>");
    let id = d["id"].as_str().unwrap().to_string();

    let table = gate_at(tmp.path(), &server, READ_TOKEN, &["deployments"]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table));
    assert!(
        stdout(&table).contains(&id) && stdout(&table).contains("admin (override)"),
        "{}",
        text(&table)
    );

    let file = tmp.path().join("postmortem.md");
    let written = gate_at(
        tmp.path(),
        &server,
        READ_TOKEN,
        &["postmortem", &id, "--output", file.to_str().unwrap()],
    );
    assert_eq!(written.status.code(), Some(0), "{}", text(&written));
    let markdown = std::fs::read_to_string(&file).unwrap();
    assert!(
        markdown.starts_with("# Deployment of shop `v2`") && markdown.contains("failed"),
        "{markdown}"
    );
    let missing = gate_at(
        tmp.path(),
        &server,
        READ_TOKEN,
        &["postmortem", "no-such-id"],
    );
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));

    // Every entry of the deployment, one a line; listing pages through `next` to the same.
    let entries = exported(tmp.path(), &server, &["--deployment", &id]);
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in ["deploy_requested", "override", "hook_failed"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let paged = audit(
        tmp.path(),
        &server,
        "list",
        &["--deployment", &id, "--json", "--page-size", "1"],
    );
    assert_eq!(paged.status.code(), Some(0), "{}", text(&paged));
    let paged: Vec<serde_json::Value> = serde_json::from_slice(&paged.stdout).unwrap();
    assert_eq!(paged, entries, "every page, in order");
    assert_eq!(
        exported(tmp.path(), &server, &["--page-size", "2"]).len(),
        { exported(tmp.path(), &server, &[]).len() }
    );
}

#[test]
fn a_deployment_in_progress_is_found_by_its_service_and_steered() {
    let tmp = tempfile::tempdir().unwrap();
    // The version comes up, but the router is not there: it stays pending.
    let server = server(tmp.path(), &[service("shop", "echo http://127.0.0.1:9")]);
    let commit = sha("pending");

    let out = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &[
            "deploy",
            "--service",
            "shop",
            "--version",
            "v2",
            "--commit",
            &commit,
            "--force",
            "--reason",
            "test",
            "--detach",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let list = deployments_json(tmp.path(), &server, &[]);
    let d = &list["deployments"][0];
    assert_eq!(d["phase"], "pending", "{list:#}");
    let id = d["id"].as_str().unwrap().to_string();
    assert!(stdout(&out).contains(&id), "{}", text(&out));

    let services = gate_at(tmp.path(), &server, READ_TOKEN, &["services", "--json"]);
    assert_eq!(services.status.code(), Some(0), "{}", text(&services));
    let services: serde_json::Value = serde_json::from_slice(&services.stdout).unwrap();
    assert_eq!(services["services"][0]["deployment"], id.as_str());
    assert_eq!(services["services"][0]["version"], "v1");

    let again = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &[
            "deploy",
            "--service",
            "shop",
            "--version",
            "v3",
            "--commit",
            &commit,
            "--force",
            "--reason",
            "test",
        ],
    );
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(
        stderr(&again).contains("deployment in progress"),
        "{}",
        text(&again)
    );

    let early = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &["promote", "--service", "shop"],
    );
    assert_eq!(early.status.code(), Some(2), "{}", text(&early));
    assert!(
        stderr(&early).contains("promote refused"),
        "{}",
        text(&early)
    );
    let weak = gate_at(
        tmp.path(),
        &server,
        READ_TOKEN,
        &["abort", "--service", "shop", "--reason", "r"],
    );
    assert_eq!(weak.status.code(), Some(2), "{}", text(&weak));
    assert!(
        stderr(&weak).contains("deploy"),
        "names the scope: {}",
        text(&weak)
    );

    let aborted = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &["abort", "--service", "shop", "--reason", "wrong build"],
    );
    assert_eq!(aborted.status.code(), Some(0), "{}", text(&aborted));
    assert!(
        stdout(&aborted).contains(&format!("abort: deployment {id} of shop v2: aborted")),
        "{}",
        text(&aborted)
    );
    let none = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &["advance", "--service", "shop"],
    );
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
    assert!(
        stderr(&none).contains("no deployment of shop is in progress (it serves v1)"),
        "{}",
        text(&none)
    );
    let by_id = gate_at(tmp.path(), &server, ADMIN_TOKEN, &["promote", &id]);
    assert_eq!(by_id.status.code(), Some(2), "{}", text(&by_id));
    assert!(
        stderr(&by_id).contains("is over (aborted)"),
        "{}",
        text(&by_id)
    );

    let rollback = gate_at(
        tmp.path(),
        &server,
        ADMIN_TOKEN,
        &[
            "rollback",
            "--service",
            "shop",
            "--to",
            "v0",
            "--reason",
            "r",
        ],
    );
    assert_eq!(rollback.status.code(), Some(2), "{}", text(&rollback));
    assert!(
        stderr(&rollback).contains("never served `v0`"),
        "{}",
        text(&rollback)
    );
}

#[test]
fn an_unreachable_server_is_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["deployments"][..],
        &["services"],
        &["audit", "verify"],
        &[
            "deploy",
            "--service",
            "shop",
            "--version",
            "v2",
            "--commit",
            &sha("x"),
        ],
    ] {
        let out = gate(tmp.path())
            .args(args.iter().take_while(|a| !a.starts_with("--")))
            .args(["--server", "http://127.0.0.1:1", "--token", "t"])
            .args(args.iter().skip_while(|a| !a.starts_with("--")))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", text(&out));
        assert!(
            stderr(&out).contains("cannot reach the gate server at http://127.0.0.1:1"),
            "{}",
            text(&out)
        );
    }
}
