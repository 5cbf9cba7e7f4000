//! The scenario suite of a run: the files are read when the run is submitted, checked, and kept
//! with the run, so every runner of the run (embedded or agent, before or after a restart) sees
//! exactly the same scenarios.

use std::path::{Path, PathBuf};

use gate_scenarios::{CheckOptions, SourceFile as Source, check_suite};
use sha2::{Digest, Sha256};

use crate::model::SourceFile;

/// The files of a suite, ready to store with a run.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteSnapshot {
    /// Hex SHA-256 over the paths and contents: the same files give the same id.
    pub id: String,
    pub sources: Vec<SourceFile>,
    /// (scenario name, file path) of the scenarios selected by the tags, in file order.
    pub selected: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("cannot read scenarios: {0}")]
    Read(String),
    /// The rendered diagnostics.
    #[error("the scenario files have errors:\n{0}")]
    Invalid(String),
    #[error("no scenario has one of the tags {0:?}")]
    NothingSelected(Vec<String>),
}

/// Reads `paths` (files, or directories searched for `*.toml`), checks them, and selects by
/// `tags` (any of them; empty selects all).
pub fn load(paths: &[PathBuf], tags: &[String]) -> Result<SuiteSnapshot, SuiteError> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files)
            .map_err(|e| SuiteError::Read(format!("{}: {e}", path.display())))?;
    }
    if files.is_empty() {
        return Err(SuiteError::Read(
            "no *.toml files in the configured scenario paths".into(),
        ));
    }
    let mut sources = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| SuiteError::Read(format!("{}: {e}", file.display())))?;
        sources.push(SourceFile {
            path: file.display().to_string(),
            text,
        });
    }
    snapshot(sources, tags)
}

/// Checks sources already in memory (a run's stored files) and selects by tags.
pub fn snapshot(sources: Vec<SourceFile>, tags: &[String]) -> Result<SuiteSnapshot, SuiteError> {
    let view: Vec<Source<'_>> = sources
        .iter()
        .map(|s| Source {
            path: &s.path,
            text: &s.text,
        })
        .collect();
    // Secrets are resolved by the runner's environment, not the server's: don't check them here.
    let (suite, diagnostics) = check_suite(&view, &CheckOptions::default());
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let text = sources
                .iter()
                .find(|s| s.path == d.path)
                .map_or("", |s| s.text.as_str());
            d.render(text, false)
        })
        .collect();
    if !errors.is_empty() {
        return Err(SuiteError::Invalid(errors.join("\n\n")));
    }
    let selected: Vec<(String, String)> = suite
        .scenarios
        .iter()
        .filter(|s| tags.is_empty() || s.tags.iter().any(|t| tags.contains(t)))
        .map(|s| (s.name.clone(), s.path.clone()))
        .collect();
    if selected.is_empty() {
        return Err(SuiteError::NothingSelected(tags.to_vec()));
    }
    let mut hash = Sha256::new();
    for s in &sources {
        hash.update(s.path.as_bytes());
        hash.update([0]);
        hash.update(s.text.as_bytes());
        hash.update([0]);
    }
    let mut tag_list = tags.to_vec();
    tag_list.sort();
    hash.update(tag_list.join(",").as_bytes());
    Ok(SuiteSnapshot {
        id: hex::encode(hash.finalize()),
        sources,
        selected,
    })
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect(&entry, out)?;
        } else if entry.extension().is_some_and(|e| e == "toml") {
            out.push(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn same_files_same_id_and_tags_select() {
        let files = vec![
            src(
                "a.toml",
                "name = \"a\"\ntags = [\"x\"]\n[[step]]\ngoto = \"/\"\n",
            ),
            src("b.toml", "name = \"b\"\n[[step]]\ngoto = \"/\"\n"),
        ];
        let all = snapshot(files.clone(), &[]).unwrap();
        assert_eq!(all.selected.len(), 2);
        assert_eq!(all.id, snapshot(files.clone(), &[]).unwrap().id);
        let x = snapshot(files.clone(), &["x".into()]).unwrap();
        assert_eq!(x.selected, vec![("a".to_string(), "a.toml".to_string())]);
        assert_ne!(
            x.id, all.id,
            "the tag filter is part of the suite's identity"
        );
        assert!(matches!(
            snapshot(files, &["nope".into()]),
            Err(SuiteError::NothingSelected(_))
        ));
    }

    #[test]
    fn invalid_files_are_rejected_with_diagnostics() {
        let err = snapshot(
            vec![src("bad.toml", "name = \"x\"\n[[step]]\nclik = \"#a\"\n")],
            &[],
        )
        .unwrap_err();
        assert!(err.to_string().contains("bad.toml:3:1"), "{err}");
    }
}
