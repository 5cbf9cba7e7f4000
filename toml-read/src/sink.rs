//! [`Sink`]: where the diagnostics of one file's walk go.
//!
//! Every read reports into a sink and carries on, so that one bad value does not hide the
//! next one. The sink knows the file (its name and text, for spans) and how its keys are
//! written (for "did you mean" hints); it does not render or print anything.

use crate::diagnostic::{self, Diagnostic};
use crate::span::{self, Span};
use crate::suggest::KeyCase;

/// The diagnostics of one file, in the order they were found.
#[derive(Debug)]
pub struct Sink<'s> {
    path: &'s str,
    text: &'s str,
    key_case: KeyCase,
    diagnostics: Vec<Diagnostic>,
}

impl<'s> Sink<'s> {
    /// A sink for the file `path` with contents `text`, whose keys are written `key_case`.
    pub fn new(path: &'s str, text: &'s str, key_case: KeyCase) -> Self {
        Sink {
            path,
            text,
            key_case,
            diagnostics: Vec::new(),
        }
    }

    pub fn path(&self) -> &'s str {
        self.path
    }

    pub fn text(&self) -> &'s str {
        self.text
    }

    pub fn key_case(&self) -> KeyCase {
        self.key_case
    }

    /// Records an error about `span`; add a label and help through the returned handle.
    pub fn error(&mut self, span: Span, message: impl Into<String>) -> Report<'_> {
        self.push(Diagnostic::error(self.path, Some(span), message))
    }

    /// Records an error about the whole file (something missing).
    pub fn file_error(&mut self, message: impl Into<String>) -> Report<'_> {
        self.push(Diagnostic::error(self.path, None, message))
    }

    /// Records a diagnostic made elsewhere.
    pub fn push(&mut self, diagnostic: Diagnostic) -> Report<'_> {
        self.diagnostics.push(diagnostic);
        let len = self.diagnostics.len();
        Report(&mut self.diagnostics[len - 1])
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics, ordered by position in the file (whole-file ones first).
    pub fn into_diagnostics(mut self) -> Vec<Diagnostic> {
        diagnostic::sort_by_position(&mut self.diagnostics);
        self.diagnostics
    }

    /// The file span of `range`, a byte range inside the decoded value of the string written
    /// at `span`. Exact when the string has no escapes; otherwise the whole string.
    pub fn inner_span(&self, span: &Span, decoded: &str, range: Span) -> Span {
        span::inner_span(self.text, span, decoded, range)
    }
}

/// A diagnostic just recorded, to add details to.
pub struct Report<'d>(&'d mut Diagnostic);

impl Report<'_> {
    /// Short text under the underline.
    pub fn label(self, label: impl Into<String>) -> Self {
        self.0.label = Some(label.into());
        self
    }

    /// What to do; replaces any help given before.
    pub fn help(self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_in_order_and_sorts_on_the_way_out() {
        let mut sink = Sink::new("f.toml", "a = 1\nb = 2\n", KeyCase::Snake);
        sink.error(6..7, "b").label("here").help("fix b");
        sink.file_error("missing c");
        sink.push(Diagnostic::warning("f.toml", Some(0..1), "a"));
        assert_eq!(sink.error_count(), 2);
        assert_eq!(sink.diagnostics()[0].help.as_deref(), Some("fix b"));
        let messages: Vec<_> = sink
            .into_diagnostics()
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(messages, ["missing c", "a", "b"]);
    }
}
