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

#[test]
fn init_writes_a_working_starter_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path())
        .arg("init")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let example = tmp.path().join("scenarios/smoke.toml");
    let check = gate(tmp.path())
        .arg("check")
        .arg(&example)
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "the example scenario checks: {}",
        text(&check)
    );
    let config = std::fs::read_to_string(tmp.path().join("gate.toml")).unwrap();
    assert!(config.contains("database-url") && config.contains("[[tokens]]"));
    let again = gate(tmp.path())
        .arg("init")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn token_prints_a_token_and_its_config_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let output = gate(tmp.path())
        .args(["token", "--name", "ci", "--scopes", "submit,read"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let token = stdout.lines().nth(1).unwrap().trim();
    assert!(token.starts_with("gate_") && token.len() > 40, "{stdout}");
    use sha2::Digest;
    let hash = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    );
    assert!(
        stdout.contains(&hash),
        "the printed hash is the token's: {stdout}"
    );
    assert!(stdout.contains("scopes = [\"submit\", \"read\"]"));
    let bad = gate(tmp.path())
        .args(["token", "--scopes", "everything"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));

    // --expires-in: the entry gets an expiry that gate.toml accepts, 90 days from now.
    let output = gate(tmp.path())
        .args(["token", "--name", "ci", "--expires-in", "90d"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let entry = stdout.split_once("add to gate.toml:\n").unwrap().1;
    let config = gate_server::config::parse("gate.toml", entry, &|_| None).unwrap();
    let expires = config.tokens[0].expires.expect("the entry expires");
    let days = (expires.as_second()
        - std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64)
        / 86_400;
    assert!((89..=90).contains(&days), "{stdout}");
    for bad in ["soon", "0s"] {
        let output = gate(tmp.path())
            .args(["token", "--expires-in", bad])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--expires-in"), "{stderr}");
        assert!(output.stdout.is_empty(), "no token is printed for {bad}");
    }
}

#[test]
fn serve_reports_config_errors_with_their_location() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("gate.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nworkers = \"two\"\n").unwrap();
    let output = gate(tmp.path())
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{}:2:11", config.display())),
        "{stderr}"
    );
}

#[test]
fn a_malformed_url_flag_is_a_usage_error_naming_the_flag_before_any_browser_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let usage_error = |args: &[&str], env: Option<(&str, &str)>| {
        let mut cmd = gate(tmp.path());
        cmd.args(args);
        if let Some((name, value)) = env {
            cmd.env(name, value);
        }
        let output = cmd.output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let examples = examples().display().to_string();
    let stderr = usage_error(&["run", "--base-url", "not-a-url", &examples], None);
    assert!(stderr.contains("'--base-url <URL>'"), "{stderr}");
    assert!(stderr.contains("e.g. \"http"), "an example: {stderr}");
    let stderr = usage_error(&["run", &examples], Some(("GATE_BASE_URL", "/shop")));
    assert!(stderr.contains("--base-url"), "{stderr}");
    let stderr = usage_error(
        &[
            "submit",
            "--server",
            "gate.example",
            "--token",
            "t",
            "--commit",
            "abc",
        ],
        None,
    );
    assert!(stderr.contains("'--server <URL>'"), "{stderr}");
    assert!(stderr.contains("https://gate.example"), "the fix: {stderr}");
    let stderr = usage_error(
        &[
            "run",
            "--base-url",
            "http://127.0.0.1:9",
            "--backend",
            "cdp",
            "--cdp-endpoint",
            "http:9222",
            &examples,
        ],
        None,
    );
    assert!(stderr.contains("--cdp-endpoint"), "{stderr}");
    // Nothing ran: no browser profile was made, no report written.
    assert!(
        browser_pids(&tmp.path().to_string_lossy()).is_empty(),
        "no browser started"
    );
    assert!(
        files_under(tmp.path()).is_empty(),
        "{:?}",
        files_under(tmp.path())
    );
}

#[test]
fn haproxy_config_writes_a_config_haproxy_accepts_and_the_router_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("haproxy");
    let output = gate(tmp.path())
        .args([
            "haproxy-config",
            "--listen",
            "127.0.0.1:18080",
            "--stable",
            "v1=http://127.0.0.1:9001",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("router = { kind = \"haproxy\""), "{stdout}");
    let checked = std::process::Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(dir.join("haproxy.cfg"))
        .output()
        .expect("haproxy (scripts/setup installs it)");
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(
        std::fs::read_to_string(dir.join("versions.map"))
            .unwrap()
            .contains("v1")
    );
    let bad = gate(tmp.path())
        .args([
            "haproxy-config",
            "--listen",
            "127.0.0.1:1",
            "--stable",
            "v1",
            "--dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}
