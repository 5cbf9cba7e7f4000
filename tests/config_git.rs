//! The configuration in git, end to end with real `git` and a real `gate serve`: every run,
//! deployment and audit entry records the commit of the `gate.toml` it was made under; a
//! change that arrives by a new commit is audited with that commit's author and subject;
//! `require-committed-config` refuses a dirty file; `--config-repo` serves a ref of a
//! repository.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

use common::server::*;
use common::*;

fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "gate.toml"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn audit(server: &Server) -> Vec<serde_json::Value> {
    let (status, list) = server.get("/api/v1/audit", READ_TOKEN);
    assert_eq!(status, 200, "{list}");
    list["entries"].as_array().unwrap().clone()
}

#[test]
fn runs_and_audit_entries_name_the_configs_commit_and_a_new_commit_is_audited_with_its_author() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = ServerSpec {
        workers: 0,
        ..ServerSpec::sqlite(dir)
    };
    let config = write_config(dir, &spec);
    git(dir, &["init", "-q", "-b", "main"]);
    let first = commit_all(dir, "Gate the shop");

    let mut server = Server::start_with(dir, &config);
    let commit = sha("config-git");
    assert_eq!(
        submit(&server, &commit, "http://127.0.0.1:9", &[]).0,
        Some(0)
    );
    assert_eq!(server.run_of(&commit)["config_commit"], first.as_str());
    let entries = audit(&server);
    assert_eq!(entries[0]["config_commit"], first.as_str(), "{entries:#?}");
    assert!(
        entries[0]["reason"]
            .as_str()
            .unwrap()
            .contains(&first[..12]),
        "{entries:#?}"
    );
    server.stop();

    // A reviewed change: a new commit raises the lease.
    let first_text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        first_text.replace("lease = \"3s\"", "lease = \"4s\""),
    )
    .unwrap();
    let second = commit_all(dir, "Give agents a longer lease");
    let mut server = Server::start_with(dir, &config);
    let entries = audit(&server);
    let change = entries
        .iter()
        .rev()
        .find(|e| e["action"] == "config_changed")
        .unwrap();
    let reason = change["reason"].as_str().unwrap();
    assert!(reason.contains("gate.toml changed: timeouts"), "{reason}");
    assert!(
        reason.contains(&format!(
            "commit {} by Ana <ana@example.com>: \"Give agents a longer lease\"",
            &second[..12]
        )),
        "{reason}"
    );
    assert_eq!(change["config_commit"], second.as_str());
    // The chain still holds with the new field.
    let (status, verified) = server.get("/api/v1/audit/verify", READ_TOKEN);
    assert_eq!(
        (status, verified["ok"].as_bool()),
        (200, Some(true)),
        "{verified}"
    );
    server.stop();

    // An edit nobody committed is recorded as such…
    std::fs::write(
        &config,
        std::fs::read_to_string(&config)
            .unwrap()
            .replace("lease = \"4s\"", "lease = \"5s\""),
    )
    .unwrap();
    let server = Server::start_with(dir, &config);
    let other = sha("config-git-dirty");
    assert_eq!(
        submit(&server, &other, "http://127.0.0.1:9", &[]).0,
        Some(0)
    );
    assert_eq!(
        server.run_of(&other)["config_commit"],
        format!("{second}-dirty").as_str()
    );
    drop(server);

    // … and refused when the configuration must be committed.
    let before = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("require-committed-config = true\n{before}"),
    )
    .unwrap();
    let out = gate(dir)
        .args(["serve", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("require-committed-config") && stderr.contains("gate.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("git commit"), "a hint: {stderr}");
}

#[test]
fn the_server_serves_a_ref_of_a_config_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo = dir.join("pipeline");
    std::fs::create_dir(&repo).unwrap();
    let spec = ServerSpec {
        workers: 0,
        // The database stays outside the repository.
        database_url: format!("sqlite://{}", dir.join("gate.db").display()),
        ..ServerSpec::sqlite(dir)
    };
    let config = write_config(&repo, &spec);
    git(&repo, &["init", "-q", "-b", "main"]);
    let released = commit_all(&repo, "Release pipeline");
    git(&repo, &["tag", "v1"]);
    // A later commit on main is not what v1 serves.
    std::fs::write(
        &config,
        std::fs::read_to_string(&config)
            .unwrap()
            .replace("lease = \"3s\"", "lease = \"9s\""),
    )
    .unwrap();
    commit_all(&repo, "Not released yet");

    let args = [
        "--config",
        "gate.toml",
        "--config-ref",
        "v1",
        "--config-repo",
    ];
    let mut args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    args.push(repo.as_os_str());
    let mut server = Server::serve(dir, &args, &[]);
    let entries = audit(&server);
    assert_eq!(
        entries[0]["config_commit"],
        released.as_str(),
        "{entries:#?}"
    );
    let reason = entries[0]["reason"].as_str().unwrap();
    assert!(reason.contains("Release pipeline"), "{reason}");
    // The checkout is the process's own, gone once it stops.
    assert!(server.stop().success());
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("gate-config-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let bad = gate(dir)
        .args(["serve", "--config-ref", "no-such-ref", "--config-repo"])
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no ref `no-such-ref`"),
        "{}",
        text(&bad)
    );
}
