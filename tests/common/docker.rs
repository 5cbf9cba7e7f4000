//! Docker helpers for the backend tests: whether an engine answers (tests skip with a printed
//! reason when none does), the browser image (built once per test binary by
//! `containers/build-image`, which skips the work when it exists), and `docker` commands.

use std::process::{Command, Output};
use std::sync::OnceLock;

use super::repo;

/// The browser image's tag, or `None` (with the reason printed) when no Docker engine answers.
/// Panics when the engine answers but the image cannot be built: that is a failure, not a skip.
pub fn image() -> Option<String> {
    static IMAGE: OnceLock<Option<String>> = OnceLock::new();
    IMAGE
        .get_or_init(|| {
            let info = Command::new("docker")
                .args(["info", "--format", "{{.ServerVersion}}"])
                .output();
            match info {
                Ok(o) if o.status.success() => {}
                Ok(o) => {
                    eprintln!(
                        "SKIPPED: no Docker engine answers (docker info: {})",
                        String::from_utf8_lossy(&o.stderr).trim()
                    );
                    return None;
                }
                Err(e) => {
                    eprintln!("SKIPPED: no Docker engine answers (docker: {e})");
                    return None;
                }
            }
            let out = Command::new(repo().join("containers/build-image"))
                .output()
                .expect("run containers/build-image");
            assert!(
                out.status.success(),
                "containers/build-image failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let tag = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert!(!tag.is_empty(), "build-image printed no tag");
            Some(tag)
        })
        .clone()
}

/// Runs `docker` with `args`.
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("run docker")
}

/// Ids of the containers (running or not) carrying `label` (`key=value`).
pub fn containers_with(label: &str) -> Vec<String> {
    let out = docker(&["ps", "-aq", "--filter", &format!("label={label}")]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `docker inspect` of one container, parsed.
pub fn inspect(id: &str) -> serde_json::Value {
    let out = docker(&["inspect", id]);
    assert!(out.status.success(), "docker inspect {id}");
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    all[0].clone()
}

/// How many containers labelled `label` were created since `since` (a `docker events` time).
pub fn created_since(since: &str, label: &str) -> usize {
    let until = chrono_now();
    let out = docker(&[
        "events",
        "--since",
        since,
        "--until",
        &until,
        "--filter",
        "type=container",
        "--filter",
        "event=create",
        "--filter",
        &format!("label={label}"),
        "--format",
        "{{.ID}}",
    ]);
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// Now, as seconds since the epoch (what `docker events --since/--until` accept).
pub fn chrono_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:09}", now.as_secs(), now.subsec_nanos())
}
