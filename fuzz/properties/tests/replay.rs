//! Every committed fuzz input — the seed corpora in `fuzz/corpus/<target>/` and the inputs that
//! once broke a property in `fuzz/regressions/<target>/` — through its target's checks, on
//! stable, so CI holds every property without nightly or a fuzzing run.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

use std::path::{Path, PathBuf};

use gate_fuzz_properties::targets;

fn fuzz_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The committed inputs of `target`, seeds first, each folder in name order.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(folder).join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        all.extend(files);
    }
    all
}

fn replay(target: &str) {
    let (_, check) = targets()
        .into_iter()
        .find(|(name, _)| *name == target)
        .unwrap();
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no committed inputs for `{target}`");
    let failed: Vec<String> = inputs
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap();
            std::panic::catch_unwind(|| check(&data)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "`{target}` properties fail for (messages above): {failed:#?}"
    );
}

#[test]
fn every_target_has_a_fuzz_target_and_inputs() {
    for (name, _) in targets() {
        let file = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains(&format!("gate_fuzz_properties::{name}::check")),
            "{} does not run `{name}::check`",
            file.display()
        );
        assert!(!inputs(name).is_empty(), "no committed inputs for `{name}`");
    }
    let files = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .unwrap()
        .count();
    assert_eq!(
        files,
        targets().len(),
        "a fuzz target without its check here"
    );
}

#[test]
fn scenario_inputs_hold() {
    replay("scenario");
}

#[test]
fn template_inputs_hold() {
    replay("template");
}

#[test]
fn config_inputs_hold() {
    replay("config");
}

#[test]
fn api_json_inputs_hold() {
    replay("api_json");
}

#[test]
fn webhook_inputs_hold() {
    replay("webhook");
}

#[test]
fn redaction_inputs_hold() {
    replay("redaction");
}

#[test]
fn csv_import_inputs_hold() {
    replay("csv_import");
}

#[test]
fn proxy_request_inputs_hold() {
    replay("proxy_request");
}
