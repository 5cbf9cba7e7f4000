//! The SQLite file on a full disk: a small tmpfs mount holds the database, a filler file takes
//! the rest of it, and a submission then fails with a clear error; nothing stored before is
//! lost or corrupted, and once there is room again the server takes submissions again.
//! Mounting needs root (CAP_SYS_ADMIN): elsewhere the test says why it is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::server::*;

/// A tmpfs of `size` mounted on a fresh directory; unmounted when dropped.
struct SmallDisk {
    mount: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mount = dir.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&mount)
            .output()
            .unwrap();
        if !out.status.success() {
            eprintln!(
                "SKIPPED: cannot mount a small tmpfs here (needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(SmallDisk { mount, _dir: dir })
    }

    /// Fills what is left of the disk with `filler` (the write stops at ENOSPC).
    fn fill(&self) -> PathBuf {
        let filler = self.mount.join("filler");
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=64k"])
            .arg(format!("of={}", filler.display()))
            .output()
            .unwrap();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

fn submit_run(server: &Server, label: &str, dir: &Path) -> (u16, serde_json::Value) {
    let body = serde_json::json!({
        "commit": sha(&format!("disk {label} {dir:?}")),
        "base_url": "http://127.0.0.1:9/",
    });
    server.post("/api/v1/runs", SUBMIT_TOKEN, &body)
}

#[test]
fn sqlite_on_a_full_disk_fails_clearly_and_keeps_what_it_stored() {
    let Some(disk) = SmallDisk::mount("8m") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let spec = ServerSpec {
        database_url: format!("sqlite://{}", disk.mount.join("gate.db").display()),
        workers: 0,
        scenarios: crate::common::repo().join("tests/scenarios/chaos"),
        ..ServerSpec::sqlite(tmp.path())
    };
    let server = Server::start(tmp.path(), &spec);
    let mut stored = Vec::new();
    for i in 0..20 {
        let (status, run) = submit_run(&server, &format!("before {i}"), tmp.path());
        assert_eq!(status, 201, "{run:#}");
        stored.push(run["id"].as_str().unwrap().to_string());
    }

    let filler = disk.fill();
    let mut refused = None;
    // The WAL and free pages may take a few more rows; then every write fails.
    for i in 0..200 {
        let (status, body) = submit_run(&server, &format!("full {i}"), tmp.path());
        if status != 201 {
            refused = Some((status, body));
            break;
        }
        stored.push(body["id"].as_str().unwrap().to_string());
    }
    let (status, body) = refused.expect("a submission is refused once the disk is full");
    eprintln!("chaos: full disk: submission answered {status}: {body}");
    assert!(status >= 500, "{status} {body:#}");
    let message = body["error"].as_str().unwrap_or_default().to_lowercase();
    assert!(
        message.contains("full") || message.contains("space"),
        "the error says the disk is full: {body:#}"
    );

    // What was stored is still there, in full, while the disk is full and after.
    for id in &stored {
        let (status, run) = server.get(&format!("/api/v1/runs/{id}"), READ_TOKEN);
        assert_eq!(status, 200, "{run:#}");
        assert_eq!(run["jobs"].as_array().unwrap().len(), 3, "{run:#}");
    }
    std::fs::remove_file(filler).unwrap();
    let (status, run) = submit_run(&server, "after", tmp.path());
    assert_eq!(status, 201, "room again: {run:#}");
    drop(server);
    let check = Command::new("sqlite3")
        .arg(disk.mount.join("gate.db"))
        .arg("PRAGMA integrity_check")
        .output();
    if let Ok(out) = check {
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "ok",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
