//! The state of one file's walk: where diagnostics go, which scope templates are read in, and
//! span arithmetic (line/column, offsets inside quoted strings).

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::model::Location;

use super::variables::{Scope, Symbols};

pub(super) type Span = Range<usize>;

pub(super) struct Ctx<'s> {
    pub path: &'s str,
    pub text: &'s str,
    pub diagnostics: Vec<Diagnostic>,
    pub symbols: Symbols,
    /// Where the templates being read are used; decides which variables they may see.
    pub scope: Scope,
}

impl<'s> Ctx<'s> {
    pub fn new(path: &'s str, text: &'s str) -> Self {
        Ctx {
            path,
            text,
            diagnostics: Vec::new(),
            symbols: Symbols::default(),
            scope: Scope::Vars(0),
        }
    }

    /// Records an error about `span`; add a label and help through the returned handle.
    pub fn error(&mut self, span: Span, message: impl Into<String>) -> Report<'_> {
        self.push(Diagnostic::error(self.path, Some(span), message))
    }

    /// Records an error about the whole file (something missing).
    pub fn file_error(&mut self, message: impl Into<String>) -> Report<'_> {
        self.push(Diagnostic::error(self.path, None, message))
    }

    fn push(&mut self, diagnostic: Diagnostic) -> Report<'_> {
        self.diagnostics.push(diagnostic);
        let len = self.diagnostics.len();
        Report(&mut self.diagnostics[len - 1])
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn location(&self, offset: usize) -> Location {
        location(self.text, offset)
    }

    /// The file span of `range`, a byte range inside the decoded value of the string written
    /// at `span`. Exact when the string has no escapes; otherwise the whole string.
    pub fn inner_span(&self, span: &Span, decoded: &str, range: Span) -> Span {
        match self
            .text
            .get(span.clone())
            .and_then(|raw| content_offset(raw, decoded))
        {
            Some(offset) => span.start + offset + range.start..span.start + offset + range.end,
            None => span.clone(),
        }
    }
}

/// A diagnostic just recorded, to add details to.
pub(super) struct Report<'d>(&'d mut Diagnostic);

impl Report<'_> {
    pub fn label(self, label: impl Into<String>) -> Self {
        self.0.label = Some(label.into());
        self
    }

    pub fn help(self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
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

/// Orders diagnostics of one file by position; whole-file ones first. Stable.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
}

/// Where the decoded text of a TOML string (or key) starts inside its source text `raw`, if
/// the source holds the decoded text verbatim (no escapes, no line continuations).
fn content_offset(raw: &str, decoded: &str) -> Option<usize> {
    if raw == decoded {
        return Some(0);
    }
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        let Some(inner) = raw
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        else {
            continue;
        };
        let mut offset = quote.len();
        let mut inner = inner;
        if quote.len() == 3 {
            // A newline right after the opening delimiter is not part of the string.
            if let Some(rest) = inner.strip_prefix("\r\n") {
                (inner, offset) = (rest, offset + 2);
            } else if let Some(rest) = inner.strip_prefix('\n') {
                (inner, offset) = (rest, offset + 1);
            }
        }
        return (inner == decoded).then_some(offset);
    }
    None
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

    #[test]
    fn finds_string_content() {
        assert_eq!(content_offset("\"abc\"", "abc"), Some(1));
        assert_eq!(content_offset("'a\\b'", "a\\b"), Some(1));
        assert_eq!(content_offset("\"a\\tb\"", "a\tb"), None);
        assert_eq!(content_offset("\"\"\"\nabc\"\"\"", "abc"), Some(4));
        assert_eq!(content_offset("bare_key", "bare_key"), Some(0));
    }

    #[test]
    fn inner_spans_fall_back_to_the_whole_string() {
        let text = "a = \"x{{y}}\"\nb = \"\\u0041{{y}}\"";
        let ctx = Ctx::new("f", text);
        assert_eq!(ctx.inner_span(&(4..12), "x{{y}}", 1..6), 6..11);
        assert_eq!(ctx.inner_span(&(17..30), "A{{y}}", 1..6), 17..30);
    }
}
