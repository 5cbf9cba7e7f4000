//! Golden diagnostics of broken configurations: every `tests/config/NAME.toml` (with the
//! environment of `NAME.env`, `VAR=value` lines, if present) must be refused with exactly the
//! text of `NAME.expected`. `BLESS=1 cargo test -p gate-server --test config_golden` rewrites
//! the expected files; review the diff.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/config");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    cases
}

fn environment(case: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(case.with_extension("env")) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn broken_configurations_are_refused_with_the_expected_diagnostics() {
    let bless = std::env::var_os("BLESS").is_some();
    let cases = cases();
    assert!(cases.len() >= 20, "the corpus is there");
    let mut mismatches = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).unwrap();
        let env = environment(case);
        let lookup = |name: &str| env.get(name).cloned();
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let rendered = match gate_server::config::parse("gate.toml", &text, &lookup) {
            Ok(_) => panic!("{name}: the configuration was accepted"),
            Err(err) => err.to_string(),
        };
        let expected_path = case.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, format!("{rendered}\n")).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if rendered.trim_end() != expected.trim_end() {
            mismatches.push(format!(
                "── {name} ──\nexpected:\n{expected}\nactual:\n{rendered}\n"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} case(s) differ (BLESS=1 rewrites them):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn secrets_from_the_environment_never_appear_in_diagnostics() {
    for case in cases() {
        let text = std::fs::read_to_string(&case).unwrap();
        let env = environment(&case);
        let lookup = |name: &str| env.get(name).cloned();
        let Err(err) = gate_server::config::parse("gate.toml", &text, &lookup) else {
            continue;
        };
        let rendered = err.to_string();
        for secret in ["hunter2", "s3cret", "ghp_test"] {
            assert!(!rendered.contains(secret), "{}: {rendered}", case.display());
        }
    }
}
