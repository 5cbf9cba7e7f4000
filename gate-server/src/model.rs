//! The server's vocabulary: where a run and a job are, how a scenario ended, and the state of a
//! commit's combined verdict. The store's rows, the service, the verdict, the publisher and the
//! pages all speak these enums, never strings; the API has its own copies (`gate_wire`), mapped
//! in [`crate::views`], so the stored encoding and the HTTP contract can change apart.
//!
//! Each enum's `as_str` is also its stored text; `parse` reads it back.

pub use gate_runner::result::Outcome;
use serde::{Deserialize, Serialize};

/// A scenario file as it was when its run was submitted: kept with the run (as JSON), so every
/// runner of the run sees the same scenarios.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// Where a run is: queued → running (its first job leased) → passed | failed | error (its last
/// job done), or cancelled by a user before that. A final state never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunState {
    Queued,
    Running,
    Passed,
    Failed,
    Error,
    Cancelled,
}

/// Where one scenario job of a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    Queued,
    /// A runner holds its lease.
    Running,
    Done,
}

/// A commit's combined verdict, with GitHub's commit-status semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitState {
    Pending,
    Success,
    Failure,
    Error,
}

/// Where a deployment is: pending (its version being brought up) → canary (a share of traffic,
/// step by step) → promoted | rolled_back | aborted | failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeployPhase {
    Pending,
    Canary,
    Promoted,
    RolledBack,
    Aborted,
    Failed,
}

impl DeployPhase {
    pub fn is_final(self) -> bool {
        !matches!(self, DeployPhase::Pending | DeployPhase::Canary)
    }
}

/// `as_str`/`parse` over a fixed list of names: one definition for every enum here.
macro_rules! named {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named!(RunState {
    Queued => "queued",
    Running => "running",
    Passed => "passed",
    Failed => "failed",
    Error => "error",
    Cancelled => "cancelled",
});

named!(JobState {
    Queued => "queued",
    Running => "running",
    Done => "done",
});

named!(DeployPhase {
    Pending => "pending",
    Canary => "canary",
    Promoted => "promoted",
    RolledBack => "rolled_back",
    Aborted => "aborted",
    Failed => "failed",
});

named!(CommitState {
    Pending => "pending",
    Success => "success",
    Failure => "failure",
    Error => "error",
});

impl RunState {
    pub fn is_final(self) -> bool {
        !matches!(self, RunState::Queued | RunState::Running)
    }
}

/// Every outcome a finished job can have.
pub const OUTCOMES: [Outcome; 5] = [
    Outcome::Passed,
    Outcome::Flaky,
    Outcome::Failed,
    Outcome::Error,
    Outcome::Cancelled,
];

/// The outcome stored as `text`.
pub fn parse_outcome(text: &str) -> Option<Outcome> {
    OUTCOMES.into_iter().find(|o| o.as_str() == text)
}

/// Outcomes a re-run of failures takes again.
pub fn needs_rerun(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Failed | Outcome::Error | Outcome::Cancelled
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in RunState::ALL {
            assert_eq!(RunState::parse(s.as_str()), Some(*s));
        }
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(*s));
        }
        for s in CommitState::ALL {
            assert_eq!(CommitState::parse(s.as_str()), Some(*s));
        }
        for s in DeployPhase::ALL {
            assert_eq!(DeployPhase::parse(s.as_str()), Some(*s));
        }
        for o in OUTCOMES {
            assert_eq!(parse_outcome(o.as_str()), Some(o));
        }
        assert_eq!(RunState::parse("Passed"), None);
        assert_eq!(parse_outcome("skipped"), None);
    }
}
