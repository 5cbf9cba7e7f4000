//! `session = "…"` references: the named scenario exists, and no scenario waits (directly or
//! through others) for its own session.

use crate::diagnostic::Diagnostic;
use crate::parse::suggest;

use super::Header;

/// Errors on `session` values, as `(file index, error)`.
pub(super) fn check(headers: &[Header<'_>]) -> Vec<(usize, Diagnostic)> {
    let names: Vec<&str> = headers
        .iter()
        .filter_map(|h| h.name.map(|(n, _)| n.as_str()))
        .collect();
    let mut errors = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        let Some((target, span)) = header.session else {
            continue;
        };
        let error =
            |message: String| Diagnostic::error(header.file.path, Some(span.clone()), message);
        if !names.contains(&target.as_str()) {
            let own = header.name.map(|(n, _)| n.as_str());
            let others = names.iter().copied().filter(|n| Some(*n) != own);
            let help = suggest::did_you_mean(target, others).unwrap_or_else(|| {
                "`session` must be the `name` of another scenario checked in the same run"
                    .to_string()
            });
            let error = error(format!("no scenario named `{target}`"))
                .with_label("unknown scenario")
                .with_help(help);
            errors.push((index, error));
        } else if let Some(cycle) = cycle_from(headers, index) {
            let error = match cycle.as_slice() {
                [own] => error(format!("session cycle: {own} -> {own}"))
                    .with_label("starts from its own session")
                    .with_help(
                        "a scenario cannot start from its own final state; remove `session` or \
                         name the scenario that logs in",
                    ),
                _ => error(format!(
                    "session cycle: {} -> {}",
                    cycle.join(" -> "),
                    cycle[0]
                ))
                .with_label(format!("`{}` leads back to `{}`", target, cycle[0]))
                .with_help(
                    "scenarios in a cycle wait for each other's session and can never start; \
                         remove `session` from one of them",
                ),
            };
            errors.push((index, error));
        }
    }
    errors
}

/// If following `session` from `headers[start]` comes back to it, the scenarios on the way,
/// starting with its own name. Names resolve to their first file, as for duplicates.
fn cycle_from<'a>(headers: &'a [Header<'_>], start: usize) -> Option<Vec<&'a str>> {
    let by_name = |name: &str| {
        headers
            .iter()
            .position(|h| h.name.is_some_and(|(n, _)| n == name))
    };
    let own = headers[start].name.map(|(n, _)| n.as_str())?;
    // A duplicate is not the scenario its name resolves to.
    if by_name(own) != Some(start) {
        return None;
    }
    let mut path = vec![own];
    let mut current = start;
    loop {
        let (next, _) = headers[current].session?;
        if next == own {
            return Some(path);
        }
        if path.contains(&next.as_str()) {
            // A cycle further on that `start` only leads into.
            return None;
        }
        current = by_name(next)?;
        path.push(headers[current].name.map(|(n, _)| n.as_str())?);
    }
}
