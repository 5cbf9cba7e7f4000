//! Reading scenario files from disk and checking them: the only place the CLI touches the
//! scenario crate's diagnostics, so `gate check` and `gate run` report problems the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use gate_scenarios::{CheckOptions, Diagnostic, SourceFile, Suite, check_suite};

use crate::cli::ScenarioInput;

/// Scenario files as read, in a stable order.
pub struct Sources {
    pub files: Vec<(String, String)>,
}

/// A problem that stops the command before any scenario runs (exit code 2).
#[derive(Debug)]
pub struct InputError(pub String);

impl Sources {
    /// Expands directories to their `*.toml` files (sorted, recursive) and reads everything.
    pub fn read(paths: &[PathBuf]) -> Result<Sources, InputError> {
        let default = [PathBuf::from("scenarios")];
        let paths = if paths.is_empty() {
            &default[..]
        } else {
            paths
        };
        let mut found = Vec::new();
        for path in paths {
            if path.is_dir() {
                collect_dir(path, &mut found).map_err(|e| {
                    InputError(format!("cannot read directory {}: {e}", path.display()))
                })?;
            } else if path.exists() {
                found.push(path.clone());
            } else {
                return Err(InputError(format!(
                    "{}: no such file or directory (give scenario files or directories of *.toml files)",
                    path.display()
                )));
            }
        }
        if found.is_empty() {
            let list = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(InputError(format!("no scenario files (*.toml) in {list}")));
        }
        let mut files = Vec::new();
        for path in found {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| InputError(format!("cannot read {}: {e}", path.display())))?;
            files.push((path.display().to_string(), text));
        }
        Ok(Sources { files })
    }

    /// Checks all files. Returns the suite and the rendered diagnostics (errors, warnings).
    pub fn check(&self, options: &CheckOptions) -> (Suite, Vec<Diagnostic>) {
        let files: Vec<SourceFile<'_>> = self
            .files
            .iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect();
        check_suite(&files, options)
    }

    pub fn render(&self, diagnostics: &[Diagnostic]) -> String {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let mut out = String::new();
        for d in diagnostics {
            let text = self
                .files
                .iter()
                .find(|(p, _)| *p == d.path)
                .map_or("", |(_, t)| t.as_str());
            out.push_str(d.render(text, color).trim_end());
            out.push_str("\n\n");
        }
        out
    }
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Variables from `GATE_VAR_*` and then `--var` (which wins).
pub fn vars(input: &ScenarioInput) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix("GATE_VAR_").map(|n| (n.to_string(), v)))
        .collect();
    vars.extend(input.vars.iter().cloned());
    vars
}

/// Every secret value that can be resolved: the secrets file, then the environment (which wins).
pub fn secrets(input: &ScenarioInput) -> Result<BTreeMap<String, String>, InputError> {
    let mut secrets = BTreeMap::new();
    if let Some(path) = &input.secrets {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError(format!("cannot read secrets file {}: {e}", path.display())))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((name, value)) = line.split_once('=') else {
                // Never echo the line: it may hold a secret.
                return Err(InputError(format!(
                    "{}:{}: expected NAME=value",
                    path.display(),
                    n + 1
                )));
            };
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            secrets.insert(name.trim().to_string(), value.to_string());
        }
    }
    secrets.extend(std::env::vars());
    Ok(secrets)
}

/// Check options for a given set of variables and resolvable secrets.
pub fn check_options(
    vars: &BTreeMap<String, String>,
    secrets: &BTreeMap<String, String>,
) -> CheckOptions {
    CheckOptions {
        external_vars: vars.keys().cloned().collect(),
        known_secrets: Some(secrets.keys().cloned().collect::<BTreeSet<_>>()),
    }
}

/// Only the secrets the files mention (so unrelated environment values are not redacted).
pub fn used_secrets(sources: &Sources, all: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let placeholder =
        regex::Regex::new(r"\{\{\s*secret\.([A-Za-z0-9_.-]+)\s*\}\}").expect("valid regex");
    sources
        .files
        .iter()
        .flat_map(|(_, text)| {
            placeholder
                .captures_iter(text)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .filter_map(|name| all.get(&name).map(|v| (name, v.clone())))
        .collect()
}
