//! The error-rate test: a sequential probability ratio test of "the canary fails
//! `broken_increase` more often than stable" against "`max_increase` more often", with
//! stable's rate fitted from both versions' counts (the formulas are in [`crate::analysis`]).

use serde::{Deserialize, Serialize};

use super::likelihood::{fitted_stable_rate, joint};
use super::window::Window;
use crate::policy::CanaryPolicy;

/// What the error test found, with every number it used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorTest {
    pub canary_requests: u64,
    pub canary_errors: u64,
    pub stable_requests: u64,
    pub stable_errors: u64,
    /// The canary's error rate, errors over requests (0 with no requests).
    pub canary_rate: f64,
    /// Stable's error rate; `None` when stable had no requests in the window: the canary is
    /// then judged against the allowed rise alone, as if stable never failed.
    pub stable_rate: Option<f64>,
    /// The allowed rise (`max_increase`).
    pub max_increase: f64,
    /// The rise that means broken (`broken_increase`).
    pub broken_increase: f64,
    /// The highest acceptable canary rate: stable's rate fitted under "the canary is
    /// `max_increase` worse" plus `max_increase`.
    pub acceptable_rate: f64,
    /// The broken canary rate the test weighs against it: stable's rate fitted under "the
    /// canary is `broken_increase` worse" plus `broken_increase`.
    pub broken_rate: f64,
    /// ln of the likelihood ratio, broken over acceptable. Positive: the counts look more like
    /// a broken canary.
    pub log_likelihood_ratio: f64,
    /// The canary rolls back when the ratio reaches this: ln(1/α) with α the step's share of
    /// `false_rollback_rate`.
    pub rollback_at: f64,
    /// The canary is healthy when the ratio falls to this: ln β with β the
    /// `missed_failure_rate`.
    pub healthy_at: f64,
    /// Canary requests the step needs before it may pass.
    pub min_requests: u64,
    pub finding: ErrorFinding,
}

/// The error test's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorFinding {
    /// The ratio reached `rollback_at`: the canary fails more than allowed.
    Failing,
    /// The ratio fell to `healthy_at` with at least `min_requests` canary requests.
    Healthy,
    /// Fewer than `min_requests` canary requests, and not failing.
    TooFewRequests,
    /// Enough requests, but the ratio is still between the two bounds.
    Undecided,
}

/// Runs the error test on `window` under `policy`.
pub fn error_test(policy: &CanaryPolicy, window: &Window) -> ErrorTest {
    let canary = window.canary.consistent();
    let stable = window.stable.consistent();
    let c = (canary.errors, canary.requests);
    let s = (stable.errors, stable.requests);
    let (low, high) = (policy.max_increase, policy.broken_increase);
    // With no stable requests there is nothing to fit: stable is taken to fail never, which
    // leaves the allowed rise alone to carry the decision.
    let (s_low, s_high) = if stable.requests == 0 {
        (0.0, 0.0)
    } else {
        (
            fitted_stable_rate(c, s, low),
            fitted_stable_rate(c, s, high),
        )
    };
    let llr = joint(c, s, s_high, high) - joint(c, s, s_low, low);
    let rollback_at = (1.0 / step_alpha(policy)).ln();
    let healthy_at = policy.missed_failure_rate.ln();
    let finding = if llr >= rollback_at {
        ErrorFinding::Failing
    } else if canary.requests < policy.min_requests {
        ErrorFinding::TooFewRequests
    } else if llr <= healthy_at {
        ErrorFinding::Healthy
    } else {
        ErrorFinding::Undecided
    };
    ErrorTest {
        canary_requests: canary.requests,
        canary_errors: canary.errors,
        stable_requests: stable.requests,
        stable_errors: stable.errors,
        canary_rate: canary.error_rate(),
        stable_rate: (stable.requests > 0).then(|| stable.error_rate()),
        max_increase: low,
        broken_increase: high,
        acceptable_rate: s_low + low,
        broken_rate: s_high + high,
        log_likelihood_ratio: llr,
        rollback_at,
        healthy_at,
        min_requests: policy.min_requests,
        finding,
    }
}

/// Each judged step (every step before the last) is a test of its own: α is shared out
/// evenly so that a deployment as a whole keeps to `false_rollback_rate`.
fn step_alpha(policy: &CanaryPolicy) -> f64 {
    let judged = policy.steps.len().saturating_sub(1).max(1);
    policy.false_rollback_rate / judged as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::window::Counts;

    fn window(canary: (u64, u64), stable: (u64, u64)) -> Window {
        Window {
            canary: Counts {
                requests: canary.0,
                errors: canary.1,
                p95_ms: None,
            },
            stable: Counts {
                requests: stable.0,
                errors: stable.1,
                p95_ms: None,
            },
        }
    }

    fn test(canary: (u64, u64), stable: (u64, u64)) -> ErrorTest {
        error_test(&CanaryPolicy::default(), &window(canary, stable))
    }

    #[test]
    fn a_handful_of_errors_cannot_roll_back() {
        // Each error multiplies the ratio by at most (s + 1.5 pt)/(s + 0.5 pt) ≤ 3, and
        // 3⁴ < 100: four errors cannot reach ln(1/α) = ln 100 even with no clean request
        // between them. Against a stable failing 1% it takes at least ten
        // (ln 100 / ln(2.5/1.5) = 9.02).
        for stable in [(10_000, 0), (10_000, 100), (0, 0)] {
            let t = test((4, 4), stable);
            assert_ne!(t.finding, ErrorFinding::Failing, "{t:?}");
        }
        assert_ne!(test((9, 9), (10_000, 100)).finding, ErrorFinding::Failing);
        // Three errors early in a clean step, as a cold start makes them.
        assert_ne!(test((30, 3), (570, 0)).finding, ErrorFinding::Failing);
    }

    #[test]
    fn a_clearly_broken_canary_fails_fast() {
        // 5% of 120 canary requests against a stable that never fails: 24 s at 5 requests/s.
        let t = test((120, 6), (2_280, 0));
        assert_eq!(t.finding, ErrorFinding::Failing, "{t:?}");
    }

    #[test]
    fn no_traffic_is_never_healthy() {
        let t = test((0, 0), (0, 0));
        assert_eq!(t.finding, ErrorFinding::TooFewRequests);
        assert_eq!(t.log_likelihood_ratio, 0.0);
        let t = test((99, 0), (1_881, 0));
        assert_eq!(t.finding, ErrorFinding::TooFewRequests);
    }

    #[test]
    fn a_clean_canary_beside_a_clean_stable_becomes_healthy() {
        let t = test((400, 0), (7_600, 0));
        assert_eq!(t.finding, ErrorFinding::Healthy, "{t:?}");
        assert_eq!(t.acceptable_rate, 0.005);
        assert_eq!(t.broken_rate, 0.015);
    }

    #[test]
    fn enough_requests_but_not_enough_evidence_is_undecided() {
        let t = test((150, 1), (2_850, 10));
        assert_eq!(t.finding, ErrorFinding::Undecided, "{t:?}");
    }

    #[test]
    fn an_empty_baseline_is_judged_against_the_margin_alone() {
        let t = test((400, 0), (0, 0));
        assert_eq!(t.stable_rate, None);
        assert_eq!(t.acceptable_rate, 0.005);
        assert_eq!(t.finding, ErrorFinding::Healthy);
        assert_eq!(test((300, 15), (0, 0)).finding, ErrorFinding::Failing);
    }

    #[test]
    fn more_errors_than_requests_are_cut_to_the_requests() {
        let t = test((10, 50), (100, 0));
        assert_eq!(t.canary_errors, 10);
        assert_eq!(t.canary_rate, 1.0);
        assert!(t.log_likelihood_ratio.is_finite());
    }

    #[test]
    fn alpha_is_shared_by_the_judged_steps() {
        let mut policy = CanaryPolicy::default();
        assert!((step_alpha(&policy) - 0.01).abs() < 1e-12);
        policy.steps.insert(
            1,
            crate::policy::Step {
                weight: 50,
                hold: None,
            },
        );
        assert!((step_alpha(&policy) - 0.005).abs() < 1e-12);
    }
}
