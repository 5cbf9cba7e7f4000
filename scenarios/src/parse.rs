//! One scenario file → one [`Scenario`].
//!
//! This module owns the meaning of a single file: TOML syntax, keys, types, values and which
//! variables each template may use. It reports every problem it finds (not just the first),
//! each with a byte span. Cross-file rules (unique names, `session` targets) belong to
//! `suite`; the parser never looks at other files.
//!
//! The walk is by hand over `toml`'s spanned tree rather than serde derive, so that one bad
//! value does not hide the next one and every message can point at the exact text.
//!
//! The typed reads, key checks, "did you mean" and the diagnostics sink are `gate_toml`'s,
//! shared with `gate.toml`; this module holds what is particular to scenarios.
//!
//! Layout:
//! - `context`: the walk's state (a `gate_toml::Sink`, variable scopes), line/column.
//! - `value`: typed reads of TOML values (string, template, duration, …) with type errors.
//! - `fields`: picking known keys out of a table and reporting unknown ones.
//! - `suggest`: `gate_toml::suggest`, "did you mean" for keys, roles, key names, variables.
//! - `scenario`, `step`, `action`, `keyboard`, `wait_for`, `request`, `locator`, `expect`,
//!   `response`, `capture`, `json`: the language, one construct per file.
//! - `variables`: which `{{name}}` each template may use, checked after the walk.

mod action;
mod capture;
mod context;
mod expect;
mod fields;
mod json;
mod keyboard;
mod locator;
mod request;
mod response;
mod scenario;
mod step;
mod value;
mod variables;
mod wait_for;

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::model::Scenario;
use crate::suite::CheckOptions;

pub(crate) use context::location;
pub(crate) use gate_toml::diagnostic::sort_by_position as sort_diagnostics;
pub(crate) use gate_toml::suggest;
pub(crate) use variables::Symbols;

/// What one file yields on its own, before variables are checked against the run's options.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    /// Set when the file had no errors.
    pub scenario: Option<Scenario>,
    /// `name`, when it is a string, even if other parts of the file are broken: other files may
    /// refer to it.
    pub name: Option<(String, Range<usize>)>,
    /// `session`, when it is a string.
    pub session: Option<(String, Range<usize>)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Variables defined and used, for [`check_variables`].
    pub symbols: Symbols,
}

/// Parses and validates one file on its own. Returns every problem found, not just the first.
///
/// Variables are checked as if no `--var` was given and secrets are not checked; use
/// [`crate::check_suite`] to pass [`CheckOptions`].
pub fn parse_scenario(path: &str, text: &str) -> Result<Scenario, Vec<Diagnostic>> {
    let mut file = parse_file(path, text);
    let more = check_variables(path, &file.symbols, &CheckOptions::default());
    file.diagnostics.extend(more);
    match file.scenario {
        Some(scenario) if !file.diagnostics.iter().any(Diagnostic::is_error) => Ok(scenario),
        _ => {
            sort_diagnostics(&mut file.diagnostics);
            Err(file.diagnostics)
        }
    }
}

/// Parses one file: syntax, keys, types and values. Variables are only collected.
pub(crate) fn parse_file(path: &str, text: &str) -> ParsedFile {
    scenario::parse(path, text)
}

/// Checks that every `{{name}}` of a file is defined where it is used, and that secrets exist.
pub(crate) fn check_variables(
    path: &str,
    symbols: &Symbols,
    options: &CheckOptions,
) -> Vec<Diagnostic> {
    variables::check(path, symbols, options)
}
