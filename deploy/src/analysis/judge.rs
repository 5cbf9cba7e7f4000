//! [`judge`]: the error test and the latency bound on one window, combined into a
//! [`Judgement`].

use super::error_test::{ErrorFinding, error_test};
use super::judgement::{Evidence, Judgement};
use super::latency::{LatencyFinding, latency_check};
use super::window::Window;
use crate::policy::CanaryPolicy;

/// Judges the canary on `window` (counts since the current step began) under `policy`.
///
/// Failing when either the error test or the latency bound fails; healthy only when the error
/// test is healthy and the latency bound, if set, was checked and held; inconclusive otherwise.
/// Safe to call at every interval: the error test's false-rollback rate holds however often it
/// is looked at. The policy is expected to be valid ([`CanaryPolicy::validate`]); with one
/// that is not, no number makes it panic.
pub fn judge(policy: &CanaryPolicy, window: &Window) -> Judgement {
    let errors = error_test(policy, window);
    let latency = policy.latency.map(|bound| latency_check(&bound, window));
    let latency_finding = latency.map(|l| l.finding);
    let evidence = Evidence { errors, latency };
    let slow = latency_finding == Some(LatencyFinding::Above);
    let latency_ok = matches!(latency_finding, None | Some(LatencyFinding::Within));
    match errors.finding {
        ErrorFinding::Failing => Judgement::Failing(evidence),
        _ if slow => Judgement::Failing(evidence),
        ErrorFinding::Healthy if latency_ok => Judgement::Healthy(evidence),
        _ => Judgement::Inconclusive(evidence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::window::Counts;
    use crate::policy::LatencyBound;

    fn window(canary: (u64, u64, f64), stable: (u64, u64, f64)) -> Window {
        let counts = |(requests, errors, p95): (u64, u64, f64)| Counts {
            requests,
            errors,
            p95_ms: Some(p95),
        };
        Window {
            canary: counts(canary),
            stable: counts(stable),
        }
    }

    fn with_latency() -> CanaryPolicy {
        CanaryPolicy {
            latency: Some(LatencyBound {
                factor: 1.5,
                min_samples: 200,
            }),
            ..CanaryPolicy::default()
        }
    }

    #[test]
    fn the_summary_reads_like_the_deployment_page() {
        let j = judge(
            &CanaryPolicy::default(),
            &window((312, 15, 100.0), (5_931, 53, 100.0)),
        );
        assert!(j.is_failing());
        let line = j.summary();
        assert!(
            line.starts_with(
                "canary 4.8% of 312 requests vs stable 0.89% of 5,931 (+0.5 pt allowed): log-likelihood ratio "
            ),
            "{line}"
        );
        assert!(line.ends_with(" ≥ 4.6 → roll back"), "{line}");
    }

    #[test]
    fn healthy_and_inconclusive_say_so() {
        let policy = CanaryPolicy::default();
        let healthy = judge(&policy, &window((3_000, 30, 1.0), (57_000, 570, 1.0)));
        assert!(healthy.is_healthy(), "{}", healthy.summary());
        assert!(
            healthy.summary().ends_with(" ≤ -3.0 → healthy"),
            "{}",
            healthy.summary()
        );
        let early = judge(&policy, &window((40, 0, 1.0), (760, 8, 1.0)));
        assert!(matches!(early, Judgement::Inconclusive(_)));
        assert!(
            early
                .summary()
                .ends_with("; 40 of the 100 canary requests a step needs → not decided yet"),
            "{}",
            early.summary()
        );
    }

    #[test]
    fn an_empty_baseline_says_so_in_the_evidence() {
        let j = judge(
            &CanaryPolicy::default(),
            &window((400, 0, 1.0), (0, 0, 0.0)),
        );
        assert!(j.is_healthy());
        assert!(
            j.summary().starts_with(
                "canary 0.0% of 400 requests with no stable requests to compare (judged against +0.5 pt alone): "
            ),
            "{}",
            j.summary()
        );
    }

    #[test]
    fn a_slow_canary_fails_even_with_clean_errors() {
        let j = judge(&with_latency(), &window((400, 0, 700.0), (7_600, 0, 300.0)));
        assert!(j.is_failing());
        assert!(
            j.summary()
                .ends_with("; p95 700 ms > stable 300 ms × 1.5 = 450 ms → roll back"),
            "{}",
            j.summary()
        );
    }

    #[test]
    fn a_latency_bound_not_yet_checked_keeps_a_step_from_passing() {
        let j = judge(&with_latency(), &window((400, 0, 700.0), (150, 0, 300.0)));
        assert!(matches!(j, Judgement::Inconclusive(_)), "{}", j.summary());
        assert!(
            j.summary()
                .contains("not checked: each side needs 200 requests")
        );
        let within = judge(&with_latency(), &window((400, 0, 320.0), (7_600, 0, 300.0)));
        assert!(within.is_healthy(), "{}", within.summary());
    }

    #[test]
    fn judgements_round_trip_through_json() {
        let j = judge(&with_latency(), &window((400, 3, 320.0), (7_600, 0, 300.0)));
        let text = serde_json::to_string(&j).expect("serialises");
        let back: Judgement = serde_json::from_str(&text).expect("deserialises");
        assert_eq!(back, j);
    }
}
