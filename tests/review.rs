//! `gate review` end to end: a real `gate serve` with a bare configuration and with one that
//! adds the release flow, staging parity and a committed configuration (real git); the review's
//! verdict and advice for each gate, as JSON and Markdown; and `/review` in real Chromium
//! through gate's own runner, its screenshot kept in `target/tmp/review.png`.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

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

    // The release flow declared, parity holding deploys, the configuration committed and
    // required to be.
    let config = dir.join("gate.toml");
    let text_before = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!(
            "require-committed-config = true\n{text_before}\n\
             [parity]\nstaging = \"https://127.0.0.1:9\"\nproduction = \"https://127.0.0.2:9\"\nhold-deploys = true\n\n\
             [[release.stages]]\nname = \"tests\"\nkind = \"gate\"\n"
        ),
    )
    .unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "gate.toml"]);
    git(dir, &["commit", "-q", "-m", "Gate the pipeline"]);
    let server = Server::start_with(dir, &config);
    let out = review(dir, &server, "--json");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fuller = statuses(&answer);
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
