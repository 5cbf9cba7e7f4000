//! [`Invalid`]: why a rule refused a string.
//!
//! A rule is a plain function `Fn(&str) -> Result<T, Invalid>`. It does not know where the
//! string came from, so the same rule checks a value in a file (placed at its span by
//! [`crate::read::checked`]) and an environment variable (placed by the caller).

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// Completes "`listen` …": "must be an address with a port".
    pub problem: String,
    /// Short text under the underline.
    pub label: String,
    /// What to write instead.
    pub help: String,
}

impl Invalid {
    pub fn new(
        problem: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Invalid {
            problem: problem.into(),
            label: label.into(),
            help: help.into(),
        }
    }
}
