//! Checking a [`CanaryPolicy`]: every problem at once, each a [`PolicyError`] naming its
//! [`Field`], worded to be shown under the value in the config file.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CanaryPolicy;

/// A field of [`CanaryPolicy`], for pointing at the value a person wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "field", content = "index")]
pub enum Field {
    Steps,
    /// `steps[i].weight`
    StepWeight(usize),
    /// `steps[i].hold`
    StepHold(usize),
    MaxIncrease,
    BrokenIncrease,
    FalseRollbackRate,
    MissedFailureRate,
    MinRequests,
    Interval,
    LatencyFactor,
    LatencyMinSamples,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Steps => f.write_str("steps"),
            Field::StepWeight(i) => write!(f, "steps[{i}].weight"),
            Field::StepHold(i) => write!(f, "steps[{i}].hold"),
            Field::MaxIncrease => f.write_str("max_increase"),
            Field::BrokenIncrease => f.write_str("broken_increase"),
            Field::FalseRollbackRate => f.write_str("false_rollback_rate"),
            Field::MissedFailureRate => f.write_str("missed_failure_rate"),
            Field::MinRequests => f.write_str("min_requests"),
            Field::Interval => f.write_str("interval"),
            Field::LatencyFactor => f.write_str("latency.factor"),
            Field::LatencyMinSamples => f.write_str("latency.min_samples"),
        }
    }
}

/// One problem of a policy: the field, and what is wrong with it and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyError {
    pub field: Field,
    /// A lowercase sentence that starts with the field's name.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Every problem of `policy`, in field order.
pub(super) fn problems(policy: &CanaryPolicy) -> Vec<PolicyError> {
    let mut out = Vec::new();
    let mut say = |field: Field, message: String| out.push(PolicyError { field, message });
    steps(policy, &mut say);
    if !within(policy.max_increase, 0.0, 1.0) {
        say(
            Field::MaxIncrease,
            format!(
                "max_increase must be between 0 and 1, a fraction (0.005 is 0.5 percentage points), not {}",
                policy.max_increase
            ),
        );
    }
    if !within(policy.broken_increase, 0.0, 1.0) {
        say(
            Field::BrokenIncrease,
            format!(
                "broken_increase must be between 0 and 1, a fraction (0.015 is 1.5 percentage points), not {}",
                policy.broken_increase
            ),
        );
    } else if policy.broken_increase <= policy.max_increase {
        say(
            Field::BrokenIncrease,
            format!(
                "broken_increase must be larger than max_increase ({}), for example three times it",
                policy.max_increase
            ),
        );
    }
    if !within(policy.false_rollback_rate, 0.0, 0.5) {
        say(
            Field::FalseRollbackRate,
            format!(
                "false_rollback_rate must be between 0 and 0.5, a probability (0.01 is 1%), not {}",
                policy.false_rollback_rate
            ),
        );
    }
    if !within(policy.missed_failure_rate, 0.0, 0.5) {
        say(
            Field::MissedFailureRate,
            format!(
                "missed_failure_rate must be between 0 and 0.5, a probability (0.05 is 5%), not {}",
                policy.missed_failure_rate
            ),
        );
    }
    if policy.min_requests == 0 {
        say(
            Field::MinRequests,
            "min_requests must be at least 1: a step never passes on no traffic".into(),
        );
    }
    if policy.interval.is_zero() {
        say(
            Field::Interval,
            "interval must be longer than zero, for example 5s".into(),
        );
    }
    if let Some(latency) = &policy.latency {
        if !(latency.factor.is_finite() && latency.factor >= 1.0) {
            say(
                Field::LatencyFactor,
                format!(
                    "latency.factor must be at least 1 (1.5 lets the canary's p95 be 50% above stable's), not {}",
                    latency.factor
                ),
            );
        }
        if latency.min_samples == 0 {
            say(
                Field::LatencyMinSamples,
                "latency.min_samples must be at least 1, for example 200".into(),
            );
        }
    }
    out
}

fn steps(policy: &CanaryPolicy, say: &mut impl FnMut(Field, String)) {
    let Some(last) = policy.steps.last() else {
        say(
            Field::Steps,
            "steps must not be empty: end them with a step of weight 100".into(),
        );
        return;
    };
    let last_index = policy.steps.len() - 1;
    let mut previous: Option<u8> = None;
    for (i, step) in policy.steps.iter().enumerate() {
        if !(1..=100).contains(&step.weight) {
            say(
                Field::StepWeight(i),
                format!(
                    "steps[{i}].weight must be between 1 and 100 (a percentage), not {}",
                    step.weight
                ),
            );
        } else if let Some(before) = previous.filter(|&before| step.weight <= before) {
            say(
                Field::StepWeight(i),
                format!(
                    "weights must rise: steps[{i}].weight is {} after {before}",
                    step.weight
                ),
            );
        }
        previous = Some(step.weight.max(previous.unwrap_or(0)));
    }
    if last.weight != 100 {
        say(
            Field::StepWeight(last_index),
            format!(
                "steps must end at weight 100: the last is {}; add a step of weight 100",
                last.weight
            ),
        );
    } else if last.hold.is_some() {
        say(
            Field::StepHold(last_index),
            format!(
                "steps[{last_index}].hold has no effect: reaching weight 100 promotes the canary; remove it"
            ),
        );
    }
}

/// `low < value < high`, false for NaN.
fn within(value: f64, low: f64, high: f64) -> bool {
    value > low && value < high
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::policy::{LatencyBound, Step};

    fn fields(policy: &CanaryPolicy) -> Vec<(String, String)> {
        match policy.validate() {
            Ok(()) => Vec::new(),
            Err(problems) => problems
                .into_iter()
                .map(|p| (p.field.to_string(), p.message))
                .collect(),
        }
    }

    fn step(weight: u8, hold_s: Option<u64>) -> Step {
        Step {
            weight,
            hold: hold_s.map(Duration::from_secs),
        }
    }

    #[test]
    fn the_default_is_valid() {
        assert_eq!(CanaryPolicy::default().validate(), Ok(()));
    }

    #[test]
    fn steps_must_end_at_100() {
        let policy = CanaryPolicy {
            steps: vec![step(5, Some(60)), step(50, Some(60))],
            ..CanaryPolicy::default()
        };
        let got = fields(&policy);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "steps[1].weight");
        assert!(
            got[0].1.starts_with("steps must end at weight 100"),
            "{got:?}"
        );
    }

    #[test]
    fn weights_must_rise() {
        let policy = CanaryPolicy {
            steps: vec![step(10, Some(60)), step(10, Some(60)), step(100, None)],
            ..CanaryPolicy::default()
        };
        let got = fields(&policy);
        assert_eq!(
            got,
            vec![(
                "steps[1].weight".into(),
                "weights must rise: steps[1].weight is 10 after 10".into()
            )]
        );
    }

    #[test]
    fn empty_steps_zero_weights_and_a_hold_on_the_last_step() {
        let empty = CanaryPolicy {
            steps: vec![],
            ..CanaryPolicy::default()
        };
        assert_eq!(fields(&empty)[0].0, "steps");
        let odd = CanaryPolicy {
            steps: vec![step(0, Some(60)), step(100, Some(60))],
            ..CanaryPolicy::default()
        };
        let got: Vec<String> = fields(&odd).into_iter().map(|(f, _)| f).collect();
        assert_eq!(got, vec!["steps[0].weight", "steps[1].hold"]);
    }

    #[test]
    fn numbers_out_of_range_name_their_field() {
        let policy = CanaryPolicy {
            max_increase: 1.5,
            broken_increase: f64::NAN,
            false_rollback_rate: 0.0,
            missed_failure_rate: 0.7,
            min_requests: 0,
            interval: Duration::ZERO,
            latency: Some(LatencyBound {
                factor: 0.5,
                min_samples: 0,
            }),
            ..CanaryPolicy::default()
        };
        let got: Vec<String> = fields(&policy).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            got,
            vec![
                "max_increase",
                "broken_increase",
                "false_rollback_rate",
                "missed_failure_rate",
                "min_requests",
                "interval",
                "latency.factor",
                "latency.min_samples"
            ]
        );
        let message = &fields(&policy)[0].1;
        assert!(
            message.starts_with("max_increase must be between 0 and 1"),
            "{message}"
        );
    }

    #[test]
    fn broken_increase_must_exceed_max_increase() {
        let policy = CanaryPolicy {
            broken_increase: 0.005,
            ..CanaryPolicy::default()
        };
        assert_eq!(
            fields(&policy),
            vec![(
                "broken_increase".into(),
                "broken_increase must be larger than max_increase (0.005), for example three times it"
                    .into()
            )]
        );
    }

    #[test]
    fn policies_and_problems_round_trip_through_json() {
        let policy = CanaryPolicy {
            latency: Some(LatencyBound {
                factor: 1.5,
                min_samples: 200,
            }),
            ..CanaryPolicy::default()
        };
        let text = serde_json::to_string(&policy).expect("serialises");
        assert_eq!(
            serde_json::from_str::<CanaryPolicy>(&text).expect("deserialises"),
            policy
        );
        let problem = PolicyError {
            field: Field::StepWeight(1),
            message: "weights must rise".into(),
        };
        let text = serde_json::to_string(&problem).expect("serialises");
        assert_eq!(
            text,
            r#"{"field":{"field":"step_weight","index":1},"message":"weights must rise"}"#
        );
        assert_eq!(
            serde_json::from_str::<PolicyError>(&text).expect("deserialises"),
            problem
        );
    }
}
