//! The state of one file's walk: where diagnostics go (a [`Sink`]), which scope templates are
//! read in, and line/column arithmetic.

use gate_toml::{KeyCase, Report, Sink};

use crate::model::Location;

use super::variables::{Scope, Symbols};

pub(super) use gate_toml::Span;

pub(super) struct Ctx<'s> {
    pub path: &'s str,
    pub text: &'s str,
    /// Where diagnostics go; it knows scenario keys are snake_case.
    pub sink: Sink<'s>,
    pub symbols: Symbols,
    /// Where the templates being read are used; decides which variables they may see.
    pub scope: Scope,
}

impl<'s> Ctx<'s> {
    pub fn new(path: &'s str, text: &'s str) -> Self {
        Ctx {
            path,
            text,
            sink: Sink::new(path, text, KeyCase::Snake),
            symbols: Symbols::default(),
            scope: Scope::Vars(0),
        }
    }

    /// Records an error about `span`; add a label and help through the returned handle.
    pub fn error(&mut self, span: Span, message: impl Into<String>) -> Report<'_> {
        self.sink.error(span, message)
    }

    /// Records an error about the whole file (something missing).
    pub fn file_error(&mut self, message: impl Into<String>) -> Report<'_> {
        self.sink.file_error(message)
    }

    pub fn error_count(&self) -> usize {
        self.sink.error_count()
    }

    pub fn location(&self, offset: usize) -> Location {
        location(self.text, offset)
    }

    /// The file span of `range`, a byte range inside the decoded value of the string written
    /// at `span`. Exact when the string has no escapes; otherwise the whole string.
    pub fn inner_span(&self, span: &Span, decoded: &str, range: Span) -> Span {
        self.sink.inner_span(span, decoded, range)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn location(text: &str, offset: usize) -> Location {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    Location {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(location(text, 0), Location { line: 1, column: 1 });
        assert_eq!(location(text, 6), Location { line: 2, column: 1 });
        // After the two-byte `é`.
        assert_eq!(location(text, 9), Location { line: 2, column: 3 });
        assert_eq!(location(text, 999), Location { line: 3, column: 1 });
    }
}
