//! The spanned pieces of a parsed file, and span arithmetic inside quoted strings.
//!
//! Spans are byte ranges into the file's text, as `toml`'s recoverable parser gives them. This
//! module knows nothing of what the file means.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeString, DeValue};

/// A byte range of the file.
pub type Span = Range<usize>;
/// A value with the span of its text.
pub type Value<'i> = Spanned<DeValue<'i>>;
/// A key with the span of its text.
pub type Key<'i> = Spanned<DeString<'i>>;

/// The file span of `range`, a byte range inside the decoded value of the string (or key)
/// written at `span` of `text`. Exact when the string has no escapes; otherwise the whole
/// string, which is still the right place, only less precise.
pub fn inner_span(text: &str, span: &Span, decoded: &str, range: Span) -> Span {
    match text
        .get(span.clone())
        .and_then(|raw| content_offset(raw, decoded))
    {
        Some(offset) => span.start + offset + range.start..span.start + offset + range.end,
        None => span.clone(),
    }
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
        assert_eq!(inner_span(text, &(4..12), "x{{y}}", 1..6), 6..11);
        assert_eq!(inner_span(text, &(17..30), "A{{y}}", 1..6), 17..30);
    }
}
