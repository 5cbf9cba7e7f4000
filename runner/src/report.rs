//! Reporters: pure functions from [`crate::result::RunResult`] to files a person or a CI system
//! reads. They never look at the scenario model or the browser.
//!
//! - [`json`]: the result exactly as serialised, for tools.
//! - [`junit`]: JUnit XML for CI test tabs (GitLab, Jenkins, GitHub annotations).
//! - [`html`]: a self-contained report directory for people, with charts and screenshots.
//!
//! Every file is written atomically (temporary file in the same directory, then a rename), so a
//! crash or Ctrl-C never leaves a half-written report for CI to trip over.

mod atomic;
pub mod html;
pub mod json;
pub mod junit;
mod text;
mod url;
mod verdict;

pub use url::url_path;
pub use verdict::Verdict;

#[cfg(test)]
mod fixture;
