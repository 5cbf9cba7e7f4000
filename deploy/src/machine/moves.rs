//! The two ways a deployment moves, shared by every rule: onto a step (or to promotion), and
//! back to stable. Each builds the next state, the commands in the order they must run, and
//! the transition.

use super::advance::Outcome;
use super::command::Command;
use super::deployment::{Deployment, Phase};
use super::transition::{Actor, Transition};
use crate::analysis::Evidence;
use crate::policy::CanaryPolicy;

/// Who, when and why, for the transition a move makes.
pub(super) struct Why {
    pub at: i64,
    pub actor: Actor,
    pub cause: String,
    pub evidence: Option<Evidence>,
}

/// Moves to step `index`: routes its weight and starts its window, or promotes at weight 100.
/// `index` must be a step of `policy` (callers check).
pub(super) fn enter_step(
    policy: &CanaryPolicy,
    from: &Deployment,
    index: usize,
    why: Why,
) -> Outcome {
    let step = policy.steps[index];
    let was_canary = matches!(from.phase, Phase::Canary { .. });
    let mut commands = vec![Command::Route {
        canary_weight: step.weight,
    }];
    let to = if step.weight >= 100 {
        if was_canary {
            commands.push(Command::StopSynthetic);
        }
        Phase::Promoted
    } else {
        commands.push(Command::StartWindow);
        if !was_canary {
            commands.push(Command::StartSynthetic);
        }
        Phase::Canary {
            step: index,
            weight: step.weight,
            held: step.hold.is_none(),
        }
    };
    moved(from, to, commands, why)
}

/// Sends all traffic back to stable, stops the checks and runs the down hook, in that order;
/// a pending version gets no traffic, so only its down hook runs.
pub(super) fn back_to_stable(from: &Deployment, to: Phase, why: Why) -> Outcome {
    let commands = match from.phase {
        Phase::Pending => vec![Command::RunDownHook],
        Phase::Canary { .. } => vec![
            Command::Route { canary_weight: 0 },
            Command::StopSynthetic,
            Command::RunDownHook,
        ],
        _ => vec![Command::Route { canary_weight: 0 }, Command::RunDownHook],
    };
    moved(from, to, commands, why)
}

/// Holds the current step for a person: no command, the window goes on.
pub(super) fn hold(from: &Deployment, why: Why) -> Outcome {
    let to = match from.phase {
        Phase::Canary { step, weight, .. } => Phase::Canary {
            step,
            weight,
            held: true,
        },
        other => other,
    };
    Outcome {
        deployment: Deployment {
            phase: to,
            since: from.since,
        },
        commands: Vec::new(),
        transition: Some(transition(from.phase, to, why)),
        judgement: None,
    }
}

fn moved(from: &Deployment, to: Phase, commands: Vec<Command>, why: Why) -> Outcome {
    Outcome {
        deployment: Deployment {
            phase: to,
            since: why.at,
        },
        commands,
        transition: Some(transition(from.phase, to, why)),
        judgement: None,
    }
}

fn transition(from: Phase, to: Phase, why: Why) -> Transition {
    Transition {
        from,
        to,
        at: why.at,
        actor: why.actor,
        cause: why.cause,
        evidence: why.evidence,
    }
}

/// `45s`, `10m`, `10m 30s`, `1h 5m`: a span of milliseconds for a cause.
pub(super) fn span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::span;

    #[test]
    fn spans_read_short() {
        assert_eq!(span(45_000), "45s");
        assert_eq!(span(600_000), "10m");
        assert_eq!(span(630_500), "10m 30s");
        assert_eq!(span(3_900_000), "1h 5m");
        assert_eq!(span(-5), "0s");
    }
}
