//! The latency bound: canary p95 at most stable p95 × factor, once both sides have enough
//! requests for their p95 to mean something.
//!
//! This is a threshold on two measured percentiles, not a statistical test: the factor is the
//! slack for their noise, and `min_samples` keeps the first few requests of a step (a cold
//! cache, a JIT warming up) from deciding it.

use serde::{Deserialize, Serialize};

use super::window::Window;
use crate::policy::LatencyBound;

/// Stable's p95 is taken as at least this, so that a stable answering in no measurable time
/// does not make every canary too slow.
const STABLE_P95_FLOOR_MS: f64 = 1.0;

/// What the latency bound found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyCheck {
    pub canary_p95_ms: Option<f64>,
    pub stable_p95_ms: Option<f64>,
    pub factor: f64,
    /// stable p95 × factor, when stable's p95 is known.
    pub limit_ms: Option<f64>,
    pub min_samples: u64,
    pub finding: LatencyFinding,
}

/// The latency bound's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyFinding {
    Within,
    Above,
    /// A side has fewer than `min_samples` requests, or its router reported no p95.
    TooFewSamples,
}

/// Checks `bound` on `window`.
pub fn latency_check(bound: &LatencyBound, window: &Window) -> LatencyCheck {
    let measured = |requests: u64, p95: Option<f64>| {
        p95.filter(|ms| ms.is_finite() && *ms >= 0.0 && requests >= bound.min_samples)
    };
    let canary = measured(window.canary.requests, window.canary.p95_ms);
    let stable = measured(window.stable.requests, window.stable.p95_ms);
    let limit_ms = stable.map(|ms| ms.max(STABLE_P95_FLOOR_MS) * bound.factor);
    let finding = match (canary, limit_ms) {
        (Some(canary), Some(limit)) if canary > limit => LatencyFinding::Above,
        (Some(_), Some(_)) => LatencyFinding::Within,
        _ => LatencyFinding::TooFewSamples,
    };
    LatencyCheck {
        canary_p95_ms: window.canary.p95_ms,
        stable_p95_ms: window.stable.p95_ms,
        factor: bound.factor,
        limit_ms,
        min_samples: bound.min_samples,
        finding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::window::Counts;

    const BOUND: LatencyBound = LatencyBound {
        factor: 1.5,
        min_samples: 200,
    };

    fn window(canary: (u64, Option<f64>), stable: (u64, Option<f64>)) -> Window {
        let counts = |(requests, p95_ms)| Counts {
            requests,
            errors: 0,
            p95_ms,
        };
        Window {
            canary: counts(canary),
            stable: counts(stable),
        }
    }

    #[test]
    fn a_slow_canary_with_enough_samples_is_above() {
        let check = latency_check(&BOUND, &window((200, Some(451.0)), (4_000, Some(300.0))));
        assert_eq!(check.finding, LatencyFinding::Above);
        assert_eq!(check.limit_ms, Some(450.0));
    }

    #[test]
    fn within_the_factor_is_within() {
        let check = latency_check(&BOUND, &window((500, Some(449.0)), (4_000, Some(300.0))));
        assert_eq!(check.finding, LatencyFinding::Within);
    }

    #[test]
    fn either_side_short_of_samples_is_not_checked() {
        for w in [
            window((199, Some(900.0)), (4_000, Some(300.0))),
            window((500, Some(900.0)), (150, Some(300.0))),
            window((500, None), (4_000, Some(300.0))),
            window((500, Some(900.0)), (4_000, Some(f64::NAN))),
        ] {
            assert_eq!(
                latency_check(&BOUND, &w).finding,
                LatencyFinding::TooFewSamples
            );
        }
    }

    #[test]
    fn a_stable_p95_of_zero_is_floored() {
        let check = latency_check(&BOUND, &window((500, Some(1.2)), (4_000, Some(0.0))));
        assert_eq!(check.finding, LatencyFinding::Within);
    }
}
