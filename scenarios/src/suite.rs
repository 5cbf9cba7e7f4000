//! Cross-file validation. (Stub: being implemented.)

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::model::Scenario;

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

/// Parses every file and runs the cross-file checks. Returns the suite (scenarios that parsed)
/// and every diagnostic, errors and warnings, in file order.
pub fn check_suite(files: &[SourceFile<'_>], options: &CheckOptions) -> (Suite, Vec<Diagnostic>) {
    let _ = (files, options);
    todo!("check_suite")
}
