//! A service's `[services.canary]` keys as the canary policy of [`gate_deploy`]: each key left
//! out keeps the policy's default. The config reader checks the result with the policy's own
//! rules, so a policy that cannot work is refused at `file:line` when the server starts.

use gate_deploy::{CanaryPolicy, InconclusiveAction, LatencyBound, Step};

use super::{CanaryConfig, FailSafe};

/// Samples each side needs before the latency bound is checked.
const LATENCY_SAMPLES: u64 = 100;

/// A rate as written (`1 - 0.99` is 0.01, not 0.010000000000000009).
fn tidy(rate: f64) -> f64 {
    (rate * 1e9).round() / 1e9
}

pub fn policy(config: &CanaryConfig) -> CanaryPolicy {
    let mut policy = CanaryPolicy::default();
    if let Some(steps) = &config.steps {
        policy.steps = steps
            .iter()
            .map(|s| Step {
                weight: s.weight,
                hold: s.hold,
            })
            .collect();
    }
    if let Some(pt) = config.max_error_increase_pt {
        let increase = tidy(pt / 100.0);
        // "Broken" stays three times the acceptable rise, as in the default policy.
        policy.broken_increase = tidy((increase * 3.0).max(increase + 0.001));
        policy.max_increase = increase;
    }
    if let Some(confidence) = config.confidence {
        policy.false_rollback_rate = tidy(1.0 - confidence);
    }
    if let Some(n) = config.min_requests {
        policy.min_requests = n;
    }
    if let Some(interval) = config.interval {
        policy.interval = interval;
    }
    if let Some(factor) = config.max_p95_ratio {
        policy.latency = Some(LatencyBound {
            factor,
            min_samples: LATENCY_SAMPLES,
        });
    }
    if let Some(then) = config.when_inconclusive {
        policy.inconclusive.then = match then {
            FailSafe::Rollback => InconclusiveAction::Rollback,
            FailSafe::Hold => InconclusiveAction::Hold,
        };
    }
    if let Some(wait) = config.inconclusive_wait {
        policy.inconclusive.wait = Some(wait);
    }
    if let Some(n) = config.synthetic_failures {
        policy.synthetic_failures = n;
    }
    policy
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::StepConfig;

    #[test]
    fn defaults_stay_and_keys_override() {
        assert_eq!(policy(&CanaryConfig::default()), CanaryPolicy::default());
        let p = policy(&CanaryConfig {
            steps: Some(vec![
                StepConfig {
                    weight: 10,
                    hold: Some(Duration::from_secs(30)),
                },
                StepConfig {
                    weight: 100,
                    hold: None,
                },
            ]),
            max_error_increase_pt: Some(1.0),
            confidence: Some(0.95),
            when_inconclusive: Some(FailSafe::Hold),
            ..CanaryConfig::default()
        });
        assert_eq!(p.steps[0].weight, 10);
        assert!((p.max_increase - 0.01).abs() < 1e-12);
        assert!((p.false_rollback_rate - 0.05).abs() < 1e-12);
        assert!(p.broken_increase > p.max_increase);
        assert_eq!(p.inconclusive.then, InconclusiveAction::Hold);
        assert!(p.validate().is_ok(), "{:?}", p.validate());
    }
}
