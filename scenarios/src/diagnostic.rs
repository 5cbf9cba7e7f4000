//! Problems found in scenario files, and their one rendering path.
//!
//! A [`Diagnostic`] names the file, the byte range of the offending text, what is wrong and what
//! to do. [`Diagnostic::render`] prints it like rustc: `--> file:line:col`, the line, a caret
//! underline, and a `help:` line.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Lower-case fragment: "unknown key `clik` in step".
    pub message: String,
    /// The file, as given in [`crate::SourceFile::path`].
    pub path: String,
    /// Byte range in the file of the offending text; `None` for whole-file problems.
    pub span: Option<Range<usize>>,
    /// Short text shown under the underline.
    pub label: Option<String>,
    /// What to do: "did you mean `click`?".
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
