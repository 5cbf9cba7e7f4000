//! The command line itself: `gate check` on good and broken files, exit codes for usage and
//! environment problems.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

#[test]
fn check_accepts_the_bundled_examples() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path())
        .arg("check")
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("3 scenario(s)"));
}

#[test]
fn check_prints_every_problem_with_its_location_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("broken.toml");
    std::fs::write(
        &file,
        "name = \"broken\"\n\n[[step]]\nclik = \"#buy\"\n\n[[step]]\ngoto = 3\n",
    )
    .unwrap();
    let output = gate(tmp.path()).arg("check").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let shown = file.display().to_string();
    assert!(stderr.contains(&format!("{shown}:4:1")), "{stderr}");
    assert!(stderr.contains("did you mean `click`"), "{stderr}");
    assert!(
        stderr.contains(&format!("{shown}:7:")),
        "second problem reported too: {stderr}"
    );
    assert!(stderr.contains("2 error(s)"), "{stderr}");
}

#[test]
fn run_refuses_invalid_scenarios_before_starting_a_browser() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(&file, "name = \"bad\"\n[[step]]\ngoto = \"/{{nope}}\"\n").unwrap();
    let output = gate(tmp.path())
        .args(["run", "--base-url", "http://127.0.0.1:9"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing was run"));
}

#[test]
fn missing_browser_is_one_clear_line_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path())
        .args([
            "run",
            "--base-url",
            "http://127.0.0.1:9",
            "--browser",
            "/nonexistent/chromium",
        ])
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("GATE_BROWSER"), "{stderr}");

    let output = gate(tmp.path())
        .env("PATH", "/nonexistent")
        .args(["run", "--base-url", "http://127.0.0.1:9"])
        .arg(examples())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("apt-get install chromium"));
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path())
        .args(["run", "--workers", "0", "--base-url", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = gate(tmp.path())
        .args(["run", "--base-url", "http://127.0.0.1:9"])
        .arg(tmp.path().join("missing.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no such file"));
}
