//! Scenario names are unique in a suite: `session = "…"` and reports refer to them.

use crate::diagnostic::Diagnostic;

use super::{Header, file_line};

/// An error on every scenario that reuses the name of an earlier file; `(file index, error)`.
pub(super) fn duplicates(headers: &[Header<'_>]) -> Vec<(usize, Diagnostic)> {
    let mut errors = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        let Some((name, span)) = header.name else {
            continue;
        };
        let first = headers[..index]
            .iter()
            .find_map(|h| h.name.filter(|(n, _)| n == name).map(|(_, s)| (h, s)));
        if let Some((first, first_span)) = first {
            let error = Diagnostic::error(
                header.file.path,
                Some(span.clone()),
                format!("duplicate scenario name `{name}`"),
            )
            .with_label("already used")
            .with_help(format!(
                "`{name}` is already the name of {}; scenario names must be unique, rename one",
                file_line(&first.file, first_span.start)
            ));
            errors.push((index, error));
        }
    }
    errors
}
