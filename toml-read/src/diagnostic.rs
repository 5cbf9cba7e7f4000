//! Problems found in the files people write (scenarios, `gate.toml`), and their one rendering
//! path.
//!
//! A [`Diagnostic`] names the file, the byte range of the offending text, what is wrong and what
//! to do. [`Diagnostic::render`] prints it like rustc: `--> file:line:col`, the line, a caret
//! underline, and a `help:` line. Nothing else in gate formats diagnostics.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

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
    /// The file as the user named it (`tests/login.toml`, `gate.toml`, `environment`).
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

    /// An error about `span` of the file at `path`. Control and bidirectional-override
    /// characters the message quotes from the file are written as escapes (`\0`, `\u{202e}`),
    /// so the message reads the same in a terminal, a log and a JSON answer.
    pub fn error(path: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: printable(&message.into()),
            path: path.to_string(),
            span,
            label: None,
            help: None,
        }
    }

    /// A warning about `span` of the file at `path`.
    pub fn warning(path: &str, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, span, message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(printable(&label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic like rustc. `source` is the text of [`Diagnostic::path`] (the
    /// span indexes into it); `color` adds ANSI styles for terminals. No trailing newline.
    pub fn render(&self, source: &str, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(self.message.as_str());
        let mut group = match &self.span {
            Some(span) => {
                let annotation = AnnotationKind::Primary
                    .span(clamp_span(source, span))
                    .label(self.label.as_deref());
                title.element(
                    Snippet::source(source)
                        .path(self.path.as_str())
                        .annotation(annotation),
                )
            }
            None => Group::with_title(title).element(Origin::path(self.path.as_str())),
        };
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// Orders the diagnostics of one file by position, whole-file ones first. Stable: problems at
/// the same place keep the order they were found in.
/// `text` with control characters and bidirectional overrides escaped: the renderer would
/// show them as other symbols (or drop them), and a terminal could act on them.
fn printable(text: &str) -> String {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if hidden(c) {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn sort_by_position(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
}

/// Keeps a span inside `source` and on character boundaries, so a stale or foreign span can
/// never make rendering panic.
fn clamp_span(source: &str, span: &Range<usize>) -> Range<usize> {
    let mut start = span.start.min(source.len());
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_control_characters_are_escaped_and_the_message_renders_as_it_is() {
        // Found by the scenario fuzzer: a `session` naming `logi\0\0…` rendered the NULs as
        // `␀`, so the message shown was not the message.
        let source = "session = \"logi\0\u{1b}[2J\u{202e}x\"\n";
        let d = Diagnostic::error(
            "tests/a.toml",
            Some(10..22),
            "no scenario named `logi\0\u{1b}[2J\u{202e}x`",
        )
        .with_label("unknown\tscenario");
        assert_eq!(d.message, "no scenario named `logi\\0\\u{1b}[2J\\u{202e}x`");
        assert_eq!(d.label.as_deref(), Some("unknown\\tscenario"));
        let rendered = d.render(source, false);
        assert!(rendered.contains(&d.message), "{rendered}");
        // Plain text is left alone.
        let plain = Diagnostic::error("a.toml", None, "unknown key `clik` in step — ü");
        assert_eq!(plain.message, "unknown key `clik` in step — ü");
    }

    #[test]
    fn renders_like_rustc() {
        let source = "name = \"x\"\n\n[[step]]\nclik = \"#buy\"\n";
        let d = Diagnostic::error("a.toml", Some(21..25), "unknown key `clik` in step")
            .with_label("unknown step")
            .with_help("did you mean `click`?");
        assert_eq!(
            d.render(source, false),
            "error: unknown key `clik` in step\n --> a.toml:4:1\n  |\n4 | clik = \"#buy\"\n  | ^^^^ unknown step\n  |\n  = help: did you mean `click`?"
        );
    }

    #[test]
    fn renders_without_span_and_as_warning() {
        let d = Diagnostic::warning("a.toml", None, "secret `X` is not set");
        assert_eq!(
            d.render("", false),
            "warning: secret `X` is not set\n --> a.toml"
        );
    }

    #[test]
    fn sorts_by_position_whole_file_first_and_stably() {
        let mut all = vec![
            Diagnostic::error("a", Some(9..10), "late"),
            Diagnostic::error("a", Some(2..3), "first at 2"),
            Diagnostic::error("a", None, "whole file"),
            Diagnostic::error("a", Some(2..5), "second at 2"),
        ];
        sort_by_position(&mut all);
        let order: Vec<_> = all.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(order, ["whole file", "first at 2", "second at 2", "late"]);
    }

    #[test]
    fn survives_bad_spans() {
        let d = Diagnostic::error("a.toml", Some(2..99), "x");
        assert!(d.render("é\n", false).contains("a.toml"));
        let backwards = std::ops::Range { start: 50, end: 40 };
        let d = Diagnostic::error("a.toml", Some(backwards), "x");
        assert!(d.render("abc", true).contains('x'));
    }
}
