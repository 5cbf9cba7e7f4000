//! The golden corpus through the real binary: `gate check` prints exactly the expected
//! diagnostics for every broken case under `tests/check/`, then a count, and exits 2.
//! (`scenarios/tests/golden.rs` holds the same corpus against the library, with `BLESS=1`.)

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::PathBuf;

use common::*;

#[test]
fn gate_check_prints_the_golden_diagnostics() {
    let root = repo().join("tests/check");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut cases = 0;
    for entry in entries {
        let (arg, expected) = if entry.is_dir() {
            (entry.clone(), entry.join("expected"))
        } else if entry.extension().is_some_and(|e| e == "toml") {
            (entry.clone(), entry.with_extension("expected"))
        } else {
            continue;
        };
        let relative = arg.strip_prefix(repo()).unwrap();
        let output = std::process::Command::new(gate_bin())
            .current_dir(repo())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("ADMIN_PASSWORD", "set")
            .env("NO_COLOR", "1")
            .arg("check")
            .arg(relative)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {stderr}",
            relative.display()
        );
        let (diagnostics, summary) = stderr.trim_end().rsplit_once('\n').unwrap_or(("", &stderr));
        assert!(
            summary.starts_with("error: ") && summary.contains("error(s)"),
            "{summary}"
        );
        let want = std::fs::read_to_string(&expected).unwrap();
        assert_eq!(
            diagnostics.trim_end(),
            want.trim_end(),
            "case {}",
            relative.display()
        );
        cases += 1;
    }
    assert!(cases >= 30, "the corpus has {cases} cases");
}
