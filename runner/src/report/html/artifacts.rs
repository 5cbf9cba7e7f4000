//! The report's copy of the run's artifacts: which files the result references, where they go
//! under the report directory, and the URLs the page uses for them.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::result::RunResult;

/// Name of the artifacts directory inside the report directory.
pub(super) const DIR: &str = "artifacts";

/// Every artifact path the result mentions, each once.
fn referenced(result: &RunResult) -> BTreeSet<&str> {
    let mut paths = BTreeSet::new();
    for attempt in result.scenarios.iter().flat_map(|s| &s.attempts) {
        let artifacts = &attempt.artifacts;
        paths.extend(artifacts.failure_screenshot.as_deref());
        paths.extend(artifacts.page_html.as_deref());
        paths.extend(artifacts.browser_log.as_deref());
        paths.extend(artifacts.screenshots.iter().map(|s| s.path.as_str()));
    }
    paths
}

/// `rel` as a path that stays inside the directory it is joined to: relative, no `..`.
/// Anything else is refused rather than copied from (or to) somewhere unexpected.
fn contained(rel: &str) -> Option<PathBuf> {
    let path = Path::new(rel);
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!clean.as_os_str().is_empty()).then_some(clean)
}

/// The page's link to an artifact, percent-encoded; `None` for a path that would leave the
/// artifacts directory.
pub(super) fn href(rel: &str) -> Option<String> {
    contained(rel)?;
    Some(format!(
        "{DIR}/{}",
        crate::report::url_path(rel.trim_start_matches("./"))
    ))
}

/// Copies the referenced artifacts from `result.artifacts_dir` to `dest`, keeping their relative
/// paths. Missing files are skipped; nothing is copied when both directories are the same.
pub(super) fn copy_referenced(result: &RunResult, dest: &Path) -> io::Result<()> {
    let source = Path::new(&result.artifacts_dir);
    if same_file(source, dest) {
        return Ok(());
    }
    for rel in referenced(result).into_iter().filter_map(contained) {
        let from = source.join(&rel);
        let to = dest.join(&rel);
        // A file copied onto itself is truncated first: guard even when the directories differ
        // by name but not on disk (links).
        if !from.is_file() || same_file(&from, &to) {
            continue;
        }
        let copied = to
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::copy(&from, &to));
        match copied {
            Ok(_) => {}
            // Deleted between the check and the copy: same as missing.
            Err(e) if e.kind() == io::ErrorKind::NotFound && !from.exists() => {}
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "failed to copy artifact {} to {}: {e}",
                        from.display(),
                        to.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_encodes_and_refuses_escapes() {
        assert_eq!(
            href("checkout/attempt-1/failure.png").as_deref(),
            Some("artifacts/checkout/attempt-1/failure.png")
        );
        assert_eq!(
            href("a b/#1?.png").as_deref(),
            Some("artifacts/a%20b/%231%3F.png")
        );
        assert_eq!(href("../secret.png"), None);
        assert_eq!(href("/etc/passwd"), None);
        assert_eq!(href(""), None);
    }
}
