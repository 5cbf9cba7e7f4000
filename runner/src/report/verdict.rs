//! The one-word answer a report leads with: did this run let the deploy through?

use crate::result::{Outcome, RunResult};

/// Overall outcome of a run, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Stopped before every scenario finished: the run proves nothing either way.
    Interrupted,
    /// At least one scenario failed: the code under test is at fault.
    Failed,
    /// Nothing failed, but infrastructure errors kept some scenarios from deciding.
    Error,
    /// Every scenario passed, possibly after retries (flaky).
    Passed,
}

impl Verdict {
    pub fn of(result: &RunResult) -> Self {
        // A failure outranks an infrastructure error: a known-bad build is the stronger signal.
        if result.interrupted || result.count(Outcome::Cancelled) > 0 {
            Verdict::Interrupted
        } else if result.count(Outcome::Failed) > 0 {
            Verdict::Failed
        } else if result.count(Outcome::Error) > 0 {
            Verdict::Error
        } else {
            Verdict::Passed
        }
    }

    /// Upper case, as shown on banners.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Interrupted => "INTERRUPTED",
            Verdict::Failed => "FAILED",
            Verdict::Error => "ERROR",
            Verdict::Passed => "PASSED",
        }
    }

    /// Lower case, for CSS classes and machine-facing text.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Interrupted => "interrupted",
            Verdict::Failed => "failed",
            Verdict::Error => "error",
            Verdict::Passed => "passed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn failure_outranks_error_and_interruption_outranks_both() {
        let mut run = fixture::run();
        assert_eq!(Verdict::of(&run), Verdict::Interrupted);
        run.interrupted = false;
        run.scenarios.retain(|s| s.outcome != Outcome::Cancelled);
        assert_eq!(Verdict::of(&run), Verdict::Failed);
        run.scenarios.retain(|s| s.outcome != Outcome::Failed);
        assert_eq!(Verdict::of(&run), Verdict::Error);
        run.scenarios.retain(|s| s.outcome != Outcome::Error);
        assert_eq!(Verdict::of(&run), Verdict::Passed);
    }
}
