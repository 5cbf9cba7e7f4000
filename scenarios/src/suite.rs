//! A set of scenario files checked together.
//!
//! This module owns what only shows across files: unique scenario names and `session`
//! references (targets exist, no cycles). Everything about one file is `parse`'s job; this
//! module runs it on each file with the run's [`CheckOptions`] and merges the diagnostics.
//!
//! Layout:
//! - `names`: duplicate scenario names.
//! - `sessions`: `session` targets and cycles.

mod names;
mod sessions;

use std::collections::BTreeSet;
use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::model::Scenario;
use crate::parse::{self, ParsedFile};

/// A scenario file's path and contents, read by the caller.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// What the checker may assume exists outside the files.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Variables given on the command line (`--var name=value`) or by `GATE_VAR_name`.
    pub external_vars: BTreeSet<String>,
    /// Secrets that can be resolved (environment, secrets file). `None`: don't check secrets.
    pub known_secrets: Option<BTreeSet<String>>,
}

/// A set of valid scenarios, in the order the files were given.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    pub scenarios: Vec<Scenario>,
}

impl Suite {
    pub fn get(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}

/// What the cross-file checks see of one file; present even when the file has other errors,
/// so a broken file does not make references to it look wrong.
struct Header<'a> {
    file: SourceFile<'a>,
    name: Option<&'a (String, Range<usize>)>,
    session: Option<&'a (String, Range<usize>)>,
}

/// Parses every file and runs the cross-file checks. Returns the suite (scenarios that parsed)
/// and every diagnostic, errors and warnings, in file order.
///
/// A scenario is in the suite when its own file has no errors; cross-file errors (duplicate
/// names, bad `session`) are reported but do not remove it. Callers must not run a suite
/// while any diagnostic is an error.
pub fn check_suite(files: &[SourceFile<'_>], options: &CheckOptions) -> (Suite, Vec<Diagnostic>) {
    let mut parsed: Vec<ParsedFile> = files
        .iter()
        .map(|file| {
            let mut parsed = parse::parse_file(file.path, file.text);
            let variables = parse::check_variables(file.path, &parsed.symbols, options);
            parsed.diagnostics.extend(variables);
            parsed
        })
        .collect();

    let headers: Vec<Header<'_>> = files
        .iter()
        .zip(&parsed)
        .map(|(file, parsed)| Header {
            file: *file,
            name: parsed.name.as_ref(),
            session: parsed.session.as_ref(),
        })
        .collect();
    let mut cross = names::duplicates(&headers);
    cross.extend(sessions::check(&headers));

    let mut scenarios = Vec::new();
    let mut diagnostics = Vec::new();
    for (index, file) in parsed.iter_mut().enumerate() {
        if !file.diagnostics.iter().any(Diagnostic::is_error) {
            scenarios.extend(file.scenario.take());
        }
        let mut own: Vec<Diagnostic> = std::mem::take(&mut file.diagnostics);
        own.extend(
            cross
                .iter()
                .filter(|(i, _)| *i == index)
                .map(|(_, d)| d.clone()),
        );
        parse::sort_diagnostics(&mut own);
        diagnostics.extend(own);
    }
    (Suite { scenarios }, diagnostics)
}

/// `path:line`, for pointing at another file in a help text.
fn file_line(file: &SourceFile<'_>, offset: usize) -> String {
    let location = parse::location(file.text, offset);
    format!("{}:{}", file.path, location.line)
}
