//! The HTML report: a directory a person opens from CI artifacts, `index.html` plus the
//! artifacts it shows under `artifacts/`. Self-contained: inline CSS and SVG, no scripts, no
//! external resources, works from `file://`.
//!
//! Every string from the result goes through maud's escaping, so scenario names, messages and
//! console text (which may well contain `<script>`) are shown, never run.

mod artifacts;
mod chart;
mod page;
mod scenario;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::result::RunResult;

/// The look every gate page shares, the report and the server's pages alike: the palette
/// (light and dark) as CSS variables, type, links, code and muted text. Pages add their own
/// rules after it.
pub const BASE_STYLE: &str = include_str!("html/base.css");

/// `index.html` of the report. Pure; links point at `artifacts/<path relative to the result's
/// artifacts_dir>`.
pub fn render_index(result: &RunResult) -> String {
    page::index(result).into_string()
}

/// Creates `dir`, copies the artifacts the result references into `dir/artifacts/` (unless
/// `result.artifacts_dir` already is that directory), and writes `dir/index.html` last, so an
/// index on disk means a complete report. Returns the path of `index.html`.
///
/// Artifact files that do not exist are skipped: a report with a broken image beats no report.
pub fn write_dir(result: &RunResult, dir: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("failed to create report directory {}: {e}", dir.display()),
        )
    })?;
    artifacts::copy_referenced(result, &dir.join(artifacts::DIR))?;
    let index = dir.join("index.html");
    super::atomic::write(&index, render_index(result).as_bytes())?;
    Ok(index)
}

#[cfg(test)]
mod tests;
