//! The release flow end to end, against a real `gate serve`: a `[release]` with a stage for
//! each risk, performances recorded with `gate flow done` (and found in `gate audit`), the
//! risks in `gate flow --json` and its text, refusals, a broken `[release]` refused with
//! file:line:col, and `/flow` in real Chromium through gate's own runner (its screenshot kept
//! as `flow.png` in the test artifacts).

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::{Path, PathBuf};

use common::server::*;
use common::*;

/// One stage per risk: `qa-sign-off` has one owner, `changelog` no runbook, `load-test` was
/// not performed in the last two releases; `canary` is gate's, without services to run it.
const RELEASE: &str = r#"
[release]
recent-releases = 2

[[release.stages]]
name = "tests"
kind = "gate"

[[release.stages]]
name = "qa-sign-off"
kind = "manual"
owners = ["ana"]
runbook = "https://wiki.example.com/runbooks/qa"
usually = "30m"

[[release.stages]]
name = "changelog"
kind = "manual"
owners = ["ana", "bo"]

[[release.stages]]
name = "load-test"
kind = "manual"
owners = ["cy", "dee"]
runbook = "https://wiki.example.com/runbooks/load"

[[release.stages]]
name = "canary"
kind = "canary"
"#;

/// `gate flow ARGS` against `server`: the exit code, stdout, and both outputs for messages.
fn flow_cmd(
    tmp: &Path,
    server: &Server,
    token: &str,
    args: &[&str],
) -> (Option<i32>, String, String) {
    let out = gate(tmp)
        .arg("flow")
        .args(args)
        .args(["--server", &server.url, "--token", token])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        text(&out),
    )
}

fn done(tmp: &Path, server: &Server, stage: &str, release: &str, extra: &[&str]) {
    let mut args = vec!["done", stage, "--release", release];
    args.extend_from_slice(extra);
    let (code, _, log) = flow_cmd(tmp, server, ADMIN_TOKEN, &args);
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains(&format!("recorded: {stage} of release {release}")),
        "{log}"
    );
}

fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}

#[test]
fn a_declared_flow_shows_its_risks_records_performers_and_renders_in_a_browser() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        workers: 0,
        scenarios: repo().join("tests/scenarios/server-tiny"),
        extra: RELEASE.into(),
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let t = tmp.path();

    done(
        t,
        &server,
        "qa-sign-off",
        "1.0",
        &["--by", "ana", "--note", "signed off"],
    );
    done(
        t,
        &server,
        "changelog",
        "1.0",
        &["--by", "bo", "--took", "20m"],
    );
    done(t, &server, "load-test", "1.0", &["--by", "cy"]);
    done(t, &server, "changelog", "1.1", &["--by", "ana"]);
    done(t, &server, "qa-sign-off", "1.1", &["--by", "ana"]);
    done(t, &server, "qa-sign-off", "1.2", &["--by", "ana"]);

    // The performances are in the audit log, by whom and for which release.
    let out = gate(t)
        .args([
            "audit",
            "list",
            "--json",
            "--server",
            &server.url,
            "--token",
            READ_TOKEN,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let performed: Vec<&serde_json::Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "stage_performed")
        .collect();
    assert_eq!(performed.len(), 6, "{entries:#}");
    assert_eq!(performed[0]["actor"], "admin");
    assert_eq!(performed[0]["to_version"], "1.0");
    assert_eq!(
        performed[0]["reason"],
        "`qa-sign-off` performed by ana: signed off"
    );
    let verify = gate(t)
        .args([
            "audit",
            "verify",
            "--server",
            &server.url,
            "--token",
            READ_TOKEN,
        ])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));

    // Refusals: a stage gate runs, an undeclared one, a bad release label, a read token.
    for (args, token, expected) in [
        (
            vec!["done", "canary", "--release", "1.3"],
            ADMIN_TOKEN,
            "`canary` is done by gate",
        ),
        (
            vec!["done", "deploy-docs", "--release", "1.3"],
            ADMIN_TOKEN,
            "the manual stages are qa-sign-off, changelog, load-test",
        ),
        (
            vec!["done", "changelog", "--release", "1.3 final"],
            ADMIN_TOKEN,
            "version label",
        ),
        (
            vec!["done", "changelog", "--release", "1.3"],
            READ_TOKEN,
            "scope",
        ),
    ] {
        let (code, _, log) = flow_cmd(t, &server, token, &args);
        assert_eq!(code, Some(2), "{args:?}: {log}");
        assert!(log.contains(expected), "{args:?}: {log}");
    }

    // The risks, each on its stage, with what to do.
    let (code, stdout, log) = flow_cmd(t, &server, READ_TOKEN, &["--json"]);
    assert_eq!(code, Some(0), "{log}");
    let flow: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let risks: Vec<(String, String)> = flow["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["stage"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("qa-sign-off", "single_owner"),
        ("changelog", "no_runbook"),
        ("load-test", "not_performed"),
    ]
    .map(|(s, k)| (s.to_string(), k.to_string()));
    assert_eq!(risks, expected, "{flow:#}");
    assert!(flow["declared"].as_bool().unwrap());
    assert_eq!(flow["releases"], serde_json::json!(["1.2", "1.1"]));
    let stages = flow["stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["tests", "qa-sign-off", "changelog", "load-test", "canary"]
    );
    let qa = &stages[1];
    assert_eq!(qa["runs"], 3);
    assert_eq!(
        (qa["median"].as_str(), qa["median_is_usual"].as_bool()),
        (Some("30:00"), Some(true))
    );
    assert_eq!(qa["last_performed"]["release"], "1.2");
    assert_eq!(
        stages[2]["median"], "20:00",
        "the recorded duration, not a guess"
    );
    assert!(stages[0]["automated"].as_bool().unwrap() && !qa["automated"].as_bool().unwrap());
    let not_performed = &flow["risks"][2];
    assert!(
        not_performed["message"]
            .as_str()
            .unwrap()
            .contains("the last 2 releases (1.2, 1.1); it was last recorded for 1.0 by cy"),
        "{not_performed:#}"
    );
    assert!(
        flow["notes"][0]
            .as_str()
            .unwrap()
            .contains("stage `canary` is a canary stage, but gate.toml does not set it up"),
        "{flow:#}"
    );

    // The same for people.
    let (code, log, _) = flow_cmd(t, &server, READ_TOKEN, &[]);
    assert_eq!(code, Some(0), "{log}");
    for expected in [
        "declared in [release]",
        "qa-sign-off (manual)",
        "30:00 (usually)",
        "Risks (3):",
        "what to do: record it when it is done: gate flow done load-test",
    ] {
        assert!(log.contains(expected), "{expected}: {log}");
    }

    // The page, in real Chromium.
    let artifacts = t.join("artifacts");
    let pages = GateRun::new(t, &server.url, repo().join("tests/flow-pages"))
        .workers(1)
        .env("GATE_TOKEN", READ_TOKEN)
        .json_at(&t.join("pages.json"))
        .args([std::ffi::OsStr::new("--artifacts"), artifacts.as_os_str()])
        .output();
    assert_eq!(pages.code, Some(0), "{}\n{:#}", pages.log, pages.json);
    let shot = find(&artifacts, "flow.png").expect("the screenshot");
    std::fs::copy(
        &shot,
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("flow.png"),
    )
    .unwrap();
}

#[test]
fn a_broken_release_section_is_refused_with_its_place_and_a_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("gate.toml");
    std::fs::write(
        &config,
        "[release]\n\n[[release.stages]]\nname = \"qa\"\nkind = \"manul\"\nowners = [\"ana\"]\n\n\
         [[release.stages]]\nname = \"load\"\nkind = \"manual\"\nowners = [\"cy\"]\nrunbook = \"wiki/load\"\n",
    )
    .unwrap();
    let out = gate(tmp.path())
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let log = text(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    let place = config.display().to_string();
    for expected in [
        format!("{place}:5:8"),
        "unknown stage kind `manul`".to_string(),
        "did you mean `manual`?".to_string(),
        format!("{place}:12:11"),
        "`runbook` in `[[release.stages]]` must be an http:// or https:// URL".to_string(),
    ] {
        assert!(log.contains(&expected), "{expected}\n{log}");
    }
    assert!(!log.contains("panicked"), "{log}");
}
