//! The configuration in git, end to end with real `git` and a real `gate serve`: every run,
//! deployment and audit entry records the commit of the `gate.toml` it was made under; a
//! change that arrives by a new commit is audited with that commit's author and subject;
//! `require-committed-config` refuses a dirty file; scenario files in another work tree add
//! that tree's commit, and ones in no work tree count as uncommitted; `--config-repo` serves
//! a ref of a repository.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

use common::server::*;
use common::*;

/// Commits `gate.toml` and the scenarios, if any, of `dir`.
fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "gate.toml"]);
    if dir.join("scenarios").exists() {
        git(dir, &["add", "scenarios"]);
    }
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
        scenarios: copy_examples(&dir.join("scenarios")),
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

/// The bundled scenarios copied into `to`.
fn copy_examples(to: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for file in files_under(&examples()) {
        std::fs::copy(&file, to.join(file.file_name().unwrap())).unwrap();
    }
    to.to_path_buf()
}

/// `gate serve` with `config`, expected to refuse: its error output.
fn refused(dir: &Path, config: &Path) -> String {
    let out = gate(dir)
        .args(["serve", "--config"])
        .arg(config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn scenarios_in_another_work_tree_add_its_commit_and_loose_ones_count_as_uncommitted() {
    let tmp = tempfile::tempdir().unwrap();
    let pipeline = tmp.path().join("pipeline");
    let qa = tmp.path().join("qa");
    std::fs::create_dir_all(&pipeline).unwrap();
    // The QA team's scenarios live in a repository of their own.
    copy_examples(&qa.join("scenarios"));
    git(&qa, &["init", "-q", "-b", "main"]);
    git(&qa, &["add", "scenarios"]);
    git(&qa, &["commit", "-q", "-m", "Scenarios"]);
    let qa_commit = git(&qa, &["rev-parse", "HEAD"]);
    let spec = ServerSpec {
        workers: 0,
        scenarios: qa.join("scenarios"),
        ..ServerSpec::sqlite(&pipeline)
    };
    let config = write_config(&pipeline, &spec);
    git(&pipeline, &["init", "-q", "-b", "main"]);
    let pipeline_commit = commit_all(&pipeline, "Gate the shop");

    let server = Server::start_with(&pipeline, &config);
    let commit = sha("two-trees");
    assert_eq!(
        submit(&server, &commit, "http://127.0.0.1:9", &[]).0,
        Some(0)
    );
    assert_eq!(
        server.run_of(&commit)["config_commit"],
        format!("{pipeline_commit}+{qa_commit}").as_str()
    );
    drop(server);

    // An uncommitted edit in the scenarios' repository makes the stamp dirty, and is refused
    // when the configuration must be committed, by its path.
    let login = qa.join("scenarios").join("login.toml");
    let edited = std::fs::read_to_string(&login).unwrap() + "\n# an edit\n";
    std::fs::write(&login, edited).unwrap();
    let before = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("require-committed-config = true\n{before}"),
    )
    .unwrap();
    commit_all(&pipeline, "Require a committed configuration");
    let stderr = refused(&pipeline, &config);
    assert!(
        stderr.contains(&login.canonicalize().unwrap().display().to_string()),
        "{stderr}"
    );

    // Scenarios in no work tree at all are uncommitted by definition.
    let loose = copy_examples(&tmp.path().join("loose"));
    std::fs::write(
        &config,
        std::fs::read_to_string(&config).unwrap().replace(
            &qa.join("scenarios").display().to_string(),
            &loose.display().to_string(),
        ),
    )
    .unwrap();
    commit_all(&pipeline, "Scenarios from a folder");
    let stderr = refused(&pipeline, &config);
    assert!(
        stderr.contains(&format!(
            "{} (not in a git work tree)",
            loose.canonicalize().unwrap().display()
        )),
        "{stderr}"
    );
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
        // Beside gate.toml, as the checkout has them.
        scenarios: copy_examples(&repo.join("scenarios"))
            .strip_prefix(&repo)
            .unwrap()
            .to_path_buf(),
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
