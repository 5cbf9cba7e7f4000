//! [`Judgement`] and its [`Evidence`]: the analysis's answer, as data to store and show.

use serde::{Deserialize, Serialize};

use super::error_test::ErrorTest;
use super::latency::LatencyCheck;

/// What the analysis concluded about one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "judgement", content = "evidence", rename_all = "snake_case")]
pub enum Judgement {
    /// The canary fails more often than allowed, or is slower than allowed: roll back.
    Failing(Evidence),
    /// Enough data, and the canary is not worse than allowed.
    Healthy(Evidence),
    /// Not enough data to say either: too few requests, or evidence still between the bounds.
    Inconclusive(Evidence),
}

/// Everything the judgement rests on, in numbers a person can check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub errors: ErrorTest,
    /// The latency bound's check, when the policy sets one.
    pub latency: Option<LatencyCheck>,
}

impl Judgement {
    pub fn evidence(&self) -> &Evidence {
        match self {
            Judgement::Failing(e) | Judgement::Healthy(e) | Judgement::Inconclusive(e) => e,
        }
    }

    pub fn into_evidence(self) -> Evidence {
        match self {
            Judgement::Failing(e) | Judgement::Healthy(e) | Judgement::Inconclusive(e) => e,
        }
    }

    pub fn is_failing(&self) -> bool {
        matches!(self, Judgement::Failing(_))
    }

    pub fn is_healthy(&self) -> bool {
        matches!(self, Judgement::Healthy(_))
    }

    /// One line for a deployment page, ending in what the gate does about it:
    /// `canary 4.8% of 312 requests vs stable 0.9% of 5,931 (+0.5 pt allowed): log-likelihood
    /// ratio 5.1 ≥ 4.6 → roll back`.
    pub fn summary(&self) -> String {
        let verdict = match self {
            Judgement::Failing(_) => "roll back",
            Judgement::Healthy(_) => "healthy",
            Judgement::Inconclusive(_) => "not decided yet",
        };
        format!("{} → {verdict}", self.evidence().summary())
    }
}
