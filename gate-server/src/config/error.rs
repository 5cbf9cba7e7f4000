//! [`ConfigError`]: every problem found in the file and the environment, rendered through the
//! one rendering path of `gate_toml` (the scenario diagnostics' too), so all read the same.

use std::sync::Arc;

use gate_toml::Diagnostic;

/// Everything wrong with a configuration. `Display` renders every diagnostic like rustc.
#[derive(Debug, Default)]
pub struct ConfigError {
    problems: Vec<(Diagnostic, Arc<str>)>,
}

impl ConfigError {
    /// One problem; `source` is the text its span points into.
    pub(super) fn single(diagnostic: Diagnostic, source: impl Into<Arc<str>>) -> ConfigError {
        let mut error = ConfigError::default();
        error.push(diagnostic, source.into());
        error
    }

    pub(super) fn push(&mut self, diagnostic: Diagnostic, source: Arc<str>) {
        self.problems.push((diagnostic, source));
    }

    /// Problems of one file; `source` is its text.
    pub(super) fn extend(&mut self, diagnostics: Vec<Diagnostic>, source: &str) {
        let source: Arc<str> = source.into();
        for diagnostic in diagnostics {
            self.push(diagnostic, source.clone());
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems, in the order they were found (the file top to bottom, then the
    /// environment).
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.problems.iter().map(|(d, _)| d)
    }

    /// All problems, separated by blank lines; `color` adds ANSI styles for terminals.
    pub fn render(&self, color: bool) -> String {
        let rendered: Vec<String> = self
            .problems
            .iter()
            .map(|(diagnostic, source)| diagnostic.render(source, color))
            .collect();
        rendered.join("\n\n")
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for ConfigError {}
