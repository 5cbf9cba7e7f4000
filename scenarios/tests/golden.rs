//! Golden tests for diagnostics: every case under `tests/check/` (at the workspace root) is a
//! broken scenario, and its `.expected` file holds exactly what `gate check` prints for it.
//!
//! A case is a file `NAME.toml` with `NAME.expected` beside it, or a directory `NAME/` with
//! several `.toml` files and `NAME/expected` (for cross-file problems). Files are passed as
//! `tests/check/…` so the output does not depend on where the workspace is.
//!
//! Run with `BLESS=1` to rewrite the expected files after reviewing the change.
//!
//! Options for every case: no `--var`, and only the secret `ADMIN_PASSWORD` is set.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use gate_scenarios::{CheckOptions, Diagnostic, SourceFile, check_suite};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is inside the workspace")
        .to_path_buf()
}

struct Case {
    name: String,
    /// `(path as printed, contents)`.
    files: Vec<(String, String)>,
    expected: PathBuf,
}

fn cases(root: &Path) -> Vec<Case> {
    let mut entries: Vec<PathBuf> = fs::read_dir(root)
        .expect("tests/check exists")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    let printed = |path: &Path| {
        let relative = path
            .strip_prefix(workspace())
            .expect("inside the workspace");
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    let read = |path: &Path| {
        (
            printed(path),
            fs::read_to_string(path).expect("readable case"),
        )
    };
    let mut cases = Vec::new();
    for entry in entries {
        let name = entry
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        if entry.is_dir() {
            let mut files: Vec<PathBuf> = fs::read_dir(&entry)
                .expect("readable case directory")
                .map(|e| e.expect("readable entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            assert!(!files.is_empty(), "case {name}/ has no .toml files");
            cases.push(Case {
                name,
                files: files.iter().map(|f| read(f)).collect(),
                expected: entry.join("expected"),
            });
        } else if entry.extension().is_some_and(|e| e == "toml") {
            cases.push(Case {
                name,
                files: vec![read(&entry)],
                expected: entry.with_extension("expected"),
            });
        } else {
            assert!(
                entry.extension().is_some_and(|e| e == "expected")
                    && entry.with_extension("toml").exists(),
                "unexpected file in tests/check: {}",
                entry.display()
            );
        }
    }
    cases
}

fn render(diagnostics: &[Diagnostic], files: &[(String, String)]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let source = files
            .iter()
            .find(|(path, _)| *path == d.path)
            .map_or("", |(_, text)| text.as_str());
        out.push_str(&d.render(source, false));
        out.push_str("\n\n");
    }
    out
}

/// The first differing line, with a little context, for a readable failure.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let from = at.saturating_sub(3);
    let mut out = format!("first difference at line {}:\n", at + 1);
    for line in &e[from..(at + 4).min(e.len())] {
        out.push_str(&format!("  expected | {line}\n"));
    }
    for line in &a[from..(at + 4).min(a.len())] {
        out.push_str(&format!("  actual   | {line}\n"));
    }
    out
}

#[test]
fn golden_diagnostics() {
    let root = workspace().join("tests/check");
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let options = CheckOptions {
        external_vars: BTreeSet::new(),
        known_secrets: Some(BTreeSet::from(["ADMIN_PASSWORD".to_string()])),
    };
    let cases = cases(&root);
    assert!(cases.len() >= 35, "only {} golden cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let sources: Vec<SourceFile<'_>> = case
            .files
            .iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect();
        let (_, diagnostics) = check_suite(&sources, &options);
        if !diagnostics.iter().any(Diagnostic::is_error) {
            failures.push(format!("{}: no error reported", case.name));
        }
        let actual = render(&diagnostics, &case.files);
        if bless {
            fs::write(&case.expected, &actual).expect("writable expected file");
            continue;
        }
        let expected = fs::read_to_string(&case.expected).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}: output differs from {}\n{}\n--- actual output ---\n{actual}",
                case.name,
                case.expected.display(),
                diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed (BLESS=1 rewrites the expected files):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The example scenarios shipped with gate are valid on their own.
#[test]
fn examples_have_no_errors() {
    let dir = workspace().join("scenarios/examples");
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            let text = fs::read_to_string(p).expect("readable example");
            (p.display().to_string(), text)
        })
        .collect();
    let sources: Vec<SourceFile<'_>> = files
        .iter()
        .map(|(path, text)| SourceFile { path, text })
        .collect();
    let (suite, diagnostics) = check_suite(&sources, &CheckOptions::default());
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert!(errors.is_empty(), "{}", render(&errors, &files));
    assert_eq!(suite.scenarios.len(), files.len());
}
