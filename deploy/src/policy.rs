//! [`CanaryPolicy`]: how a canary is rolled out and judged, with its defaults.
//!
//! The policy is plain data: the steps of traffic the canary goes through, how much worse than
//! stable it may be, how sure the gate must be before it rolls back, how much traffic a step
//! needs, and what to do when a step cannot be decided. The defaults are written once, in
//! [`CanaryPolicy::default`]; [`validate`] checks a policy a person wrote and names the field of
//! every problem so that the server's config reader can point at its `file:line`.
//!
//! This module holds no statistics (that is [`crate::analysis`]) and no rules of the rollout
//! (that is [`crate::machine`]).

pub mod validate;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use validate::{Field, PolicyError};

/// How a canary is rolled out and judged. See the field docs for each default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CanaryPolicy {
    /// The traffic steps, in order. The last one is weight 100: reaching it promotes the
    /// canary. Default: 5% held for 10 minutes, then 100%.
    pub steps: Vec<Step>,
    /// The largest acceptable rise of the canary's error rate over stable's, as a fraction
    /// (0.005 = 0.5 percentage points). A canary within it is acceptable; the test's
    /// false-rollback guarantee holds for every such canary. Default 0.005.
    pub max_increase: f64,
    /// A rise that means the canary is broken, as a fraction, larger than `max_increase`. The
    /// test is tuned to tell such a canary from an acceptable one fastest, and a canary this
    /// bad is judged healthy with probability at most `missed_failure_rate`. Default 0.015
    /// (three times `max_increase`).
    pub broken_increase: f64,
    /// α: the largest probability of rolling back a canary whose error rate is within
    /// `max_increase` of stable's, however often it is looked at. Default 0.01.
    pub false_rollback_rate: f64,
    /// β: the largest probability of judging a canary healthy when its error rate is
    /// `broken_increase` above stable's. Default 0.05.
    pub missed_failure_rate: f64,
    /// Canary requests a step needs before it may pass, whatever the test says. Default 100:
    /// 20 s of canary traffic at 5 requests/s; zero errors in 100 requests bound the canary's
    /// rate below 3% (95%, the rule of three). The test itself asks for more in most cases
    /// (about 300 clean requests with the defaults); this floor matters when the increases
    /// are set large.
    pub min_requests: u64,
    /// How often the controller observes the router's counters. Default 5 s.
    pub interval: Duration,
    /// An optional latency bound: canary p95 at most stable p95 × factor. Default none.
    pub latency: Option<LatencyBound>,
    /// Failed synthetic browser checks tolerated during a step. Default 0: one failed run
    /// rolls the canary back.
    pub synthetic_failures: u32,
    /// What a step does when it cannot be decided in time.
    pub inconclusive: InconclusiveRule,
}

/// One step of the rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Percentage of requests routed to the canary, 1 to 100.
    pub weight: u8,
    /// How long the step lasts at least. `None` on a step that is not the last: the step waits
    /// for a person (promote, advance, abort or roll back). The last step (weight 100) has
    /// none: reaching it promotes.
    pub hold: Option<Duration>,
}

/// Canary p95 latency at most stable p95 × `factor`, checked once both sides have
/// `min_samples` requests in the step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyBound {
    /// At least 1. 1.5 lets the canary be 50% slower at p95.
    pub factor: f64,
    /// Requests each side needs before the bound is checked.
    pub min_samples: u64,
}

/// How long a step may wait past its hold for enough data, and what happens then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InconclusiveRule {
    /// The wait past the hold. `None`: as long as the step's hold. Default none.
    pub wait: Option<Duration>,
    /// What to do when the wait is over. Default [`InconclusiveAction::Rollback`].
    pub then: InconclusiveAction,
}

/// The fail-safe for a step that could not be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InconclusiveAction {
    /// Roll the canary back: an undecided canary does not reach more users.
    #[default]
    Rollback,
    /// Stay at the step's weight until a person promotes, advances, aborts or rolls back.
    Hold,
}

impl Default for CanaryPolicy {
    fn default() -> Self {
        CanaryPolicy {
            steps: vec![
                Step {
                    weight: 5,
                    hold: Some(Duration::from_secs(10 * 60)),
                },
                Step {
                    weight: 100,
                    hold: None,
                },
            ],
            max_increase: 0.005,
            broken_increase: 0.015,
            false_rollback_rate: 0.01,
            missed_failure_rate: 0.05,
            min_requests: 100,
            interval: Duration::from_secs(5),
            latency: None,
            synthetic_failures: 0,
            inconclusive: InconclusiveRule::default(),
        }
    }
}

impl Default for InconclusiveRule {
    fn default() -> Self {
        InconclusiveRule {
            wait: None,
            then: InconclusiveAction::Rollback,
        }
    }
}

impl CanaryPolicy {
    /// Every problem of this policy, each naming its field; empty when it is usable.
    pub fn validate(&self) -> Result<(), Vec<PolicyError>> {
        let problems = validate::problems(self);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// How long a step with this hold may go on past it without a decision.
    pub fn inconclusive_wait(&self, hold: Duration) -> Duration {
        self.inconclusive.wait.unwrap_or(hold)
    }
}
