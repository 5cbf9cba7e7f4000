//! `gate review` end to end: a real `gate serve` with a bare configuration and with one that
//! adds the release flow, staging parity (two real HTTPS servers the server compares on its
//! schedule), a committed configuration (real git) and a merge check reading statuses; the
//! review's verdict and advice for each gate, as JSON and Markdown; `/review` in real Chromium
//! through gate's own runner, its screenshot kept in `target/tmp/review.png`. And `gate
//! review --config` without a server: judged from the file, parity checked by the command.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;
#[path = "parity/https.rs"]
mod https;

use std::path::Path;
use std::time::{Duration, Instant};

use https::{HttpsServer, Site, TestCa};

use common::server::*;
use common::*;

fn review(dir: &Path, server: &Server, format: &str) -> std::process::Output {
    gate(dir)
        .args([
            "review",
            "--server",
            &server.url,
            "--token",
            READ_TOKEN,
            format,
        ])
        .output()
        .unwrap()
}

fn statuses(answer: &serde_json::Value) -> Vec<(String, String)> {
    answer["review"]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["id"].as_str().unwrap().to_string(),
                g["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of<'a>(all: &'a [(String, String)], id: &str) -> &'a str {
    &all.iter().find(|(g, _)| g == id).unwrap().1
}

/// The evidence lines of gate `id`.
fn evidence(answer: &serde_json::Value, id: &str) -> Vec<String> {
    let gate = answer["review"]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .unwrap();
    gate["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

/// The review once the server has recorded a parity check (it checks at start).
fn review_after_parity(dir: &Path, server: &Server) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = review(dir, server, "--json");
        assert!(out.status.success(), "{}", text(&out));
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if !evidence(&answer, "staging-parity").contains(&"not checked yet".to_string()) {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "the server recorded no parity check in 60 s: {answer:#}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_bare_pipeline_is_told_what_to_add_and_a_fuller_one_passes_more_gates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut server = Server::without_workers(dir);
    let out = review(dir, &server, "--json");
    assert!(out.status.success(), "{}", text(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bare = statuses(&answer);
    assert_eq!(bare.len(), 7);
    for (id, status) in [
        ("test-gate", "partial"),
        ("release-flow", "missing"),
        ("config-in-git", "missing"),
        ("staging-parity", "missing"),
        ("canary", "missing"),
        ("rollback-audit", "missing"),
        ("confidence", "partial"),
    ] {
        assert_eq!(status_of(&bare, id), status, "{id}: {answer:#}");
    }
    let markdown = review(dir, &server, "--markdown");
    let markdown = String::from_utf8_lossy(&markdown.stdout);
    assert!(markdown.starts_with("# The seven gates"), "{markdown}");
    assert!(markdown.contains("```toml\n[parity]"), "{markdown}");
    assert!(markdown.contains("```toml\n[publish]"), "{markdown}");
    server.stop();

    // The release flow declared, parity (two real HTTPS servers that match) holding deploys,
    // the configuration committed and required to be.
    let ca = TestCa::new("gate review test CA");
    let staging = HttpsServer::start(Site::default(), ca.leaf("staging.test", 90));
    let production = HttpsServer::start(Site::default(), ca.leaf("production.test", 90));
    let ca_file = ca.pem_file(dir);
    let config = dir.join("gate.toml");
    let text_before = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!(
            "require-committed-config = true\n{text_before}\n\
             [parity]\nstaging = \"{}\"\nproduction = \"{}\"\nca-file = \"{}\"\nhold-deploys = true\n\n\
             [[release.stages]]\nname = \"tests\"\nkind = \"gate\"\n",
            staging.url,
            production.url,
            ca_file.display()
        ),
    )
    .unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "gate.toml"]);
    git(dir, &["commit", "-q", "-m", "Gate the pipeline"]);
    let server = Server::start_with(dir, &config);
    // A merge check asks for a commit's status (one gate has not seen yet).
    let (code, _) = server.get(
        &format!("/api/v1/commits/{}/status", sha("unseen")),
        READ_TOKEN,
    );
    assert_eq!(code, 404);
    let answer = review_after_parity(dir, &server);
    let fuller = statuses(&answer);
    let parity = evidence(&answer, "staging-parity");
    assert!(
        parity
            .iter()
            .any(|l| l.contains("(schedule): parity: staging matches production")),
        "{parity:#?}"
    );
    let test_gate = evidence(&answer, "test-gate");
    assert!(
        test_gate.iter().any(
            |l| l.starts_with("statuses read from gate in the last 7 days by dashboard (last ")
        ),
        "{test_gate:#?}"
    );
    for (id, status) in [
        ("release-flow", "installed"),
        ("config-in-git", "installed"),
        ("staging-parity", "installed"),
        ("canary", "missing"),
    ] {
        assert_eq!(status_of(&fuller, id), status, "{id}: {answer:#}");
    }
    let summary = answer["review"]["summary"].as_str().unwrap().to_string();
    assert!(summary.starts_with("3 of 7 gates installed"), "{summary}");

    let pages = GateRun::new(dir, &server.url, repo().join("tests/review-pages"))
        .workers(1)
        .env("GATE_TOKEN", READ_TOKEN)
        .json_at(&dir.join("review.json"))
        .arg("--artifacts")
        .arg(dir.join("artifacts"))
        .args([
            "--var",
            &format!("summary={summary}"),
            "--var",
            "parity=installed",
        ])
        .output();
    assert_eq!(pages.code, Some(0), "{}\n{:#}", pages.log, pages.json);
    let shot = pages.json["scenarios"][0]["attempts"][0]["artifacts"]["screenshots"][0]["path"]
        .as_str()
        .unwrap();
    let png = std::fs::read(dir.join("artifacts").join(shot)).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("review.png"),
        png,
    )
    .unwrap();
}

#[test]
fn a_configuration_file_is_reviewed_without_a_server_and_parity_is_checked_now() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ca = TestCa::new("gate review test CA");
    // Staging forgot HSTS.
    let mut drifted = Site::default();
    drifted
        .headers
        .retain(|(name, _)| *name != "strict-transport-security");
    let staging = HttpsServer::start(drifted, ca.leaf("staging.test", 90));
    let production = HttpsServer::start(Site::default(), ca.leaf("production.test", 90));
    let extra = format!(
        "[parity]\nstaging = \"{}\"\nproduction = \"{}\"\nca-file = \"{}\"\nhold-deploys = true\n",
        staging.url,
        production.url,
        ca.pem_file(dir).display()
    );
    let config = write_config(
        dir,
        &ServerSpec {
            workers: 0,
            extra,
            ..ServerSpec::sqlite(dir)
        },
    );
    let out = gate(dir)
        .args(["review", "--config"])
        .arg(&config)
        .arg("--json")
        .env_remove("GATE_SERVER")
        .env_remove("GATE_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("gate.db does not exist yet): judged from the configuration alone"),
        "{stderr}"
    );
    // The database was not created by looking.
    assert!(!dir.join("gate.db").exists());
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = statuses(&answer);
    assert_eq!(status_of(&all, "staging-parity"), "partial", "{answer:#}");
    assert_eq!(status_of(&all, "config-in-git"), "missing", "{answer:#}");
    let parity = evidence(&answer, "staging-parity");
    assert!(
        parity.iter().any(|l| l.contains(
            "(by gate review): staging does not match production: 1 difference not allowed (header.strict-transport-security)"
        )),
        "{parity:#?}"
    );
    let markdown = answer["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("make staging match production"),
        "{markdown}"
    );

    // Without --config and without a server to ask, the command says what it needs.
    let out = gate(dir)
        .arg("review")
        .env_remove("GATE_SERVER")
        .env_remove("GATE_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--server"), "{}", text(&out));
}
