//! The rules of a canary step, applied to each observation:
//!
//! 1. More failed synthetic checks than `synthetic_failures` roll back at once.
//! 2. A `Failing` judgement rolls back at once (route weight 0, no ramp), at any look, held
//!    or not, before or after the hold.
//! 3. A held step (no hold, or an undecided one the policy holds) waits for a person.
//! 4. The step passes when its hold has elapsed and the judgement is `Healthy`: on to the
//!    next step, or promoted if that is weight 100.
//! 5. Still not `Healthy` once the hold plus the inconclusive wait has elapsed: the policy's
//!    fail-safe, roll back (the default) or hold for a person.
//! 6. Otherwise nothing changes; the judgement is still returned, as the current evidence.

use std::time::Duration;

use super::advance::Outcome;
use super::deployment::{Deployment, Phase};
use super::input::SyntheticTally;
use super::moves::{Why, back_to_stable, enter_step, hold, span};
use super::transition::Actor;
use crate::analysis::{Judgement, Window, judge};
use crate::policy::{CanaryPolicy, InconclusiveAction};

/// Applies one observation to a deployment in a canary step (the caller checked the phase,
/// the step and that `at` is not before the step began).
pub(super) fn observe(
    policy: &CanaryPolicy,
    state: &Deployment,
    at: i64,
    window: &Window,
    synthetic: &SyntheticTally,
) -> Outcome {
    let judgement = judge(policy, window);
    let mut outcome = next(policy, state, at, &judgement, synthetic);
    outcome.judgement = Some(judgement);
    outcome
}

fn next(
    policy: &CanaryPolicy,
    state: &Deployment,
    at: i64,
    judgement: &Judgement,
    synthetic: &SyntheticTally,
) -> Outcome {
    let Phase::Canary { step, held, .. } = state.phase else {
        return stay(state);
    };
    let label = state.phase;
    let elapsed = at - state.since;
    let why = |cause: String| Why {
        at,
        actor: Actor::Gate,
        cause,
        evidence: Some(judgement.evidence().clone()),
    };

    if synthetic.failed > policy.synthetic_failures {
        let run = synthetic
            .last_failed_run
            .as_ref()
            .map(|id| format!(", last {id}"))
            .unwrap_or_default();
        let cause = format!(
            "synthetic checks failed at {label}: {} of {} runs failed{run}, {} allowed",
            synthetic.failed, synthetic.runs, policy.synthetic_failures
        );
        return back_to_stable(state, Phase::RolledBack, why(cause));
    }
    if judgement.is_failing() {
        let cause = format!(
            "canary failing at {label} after {}: {}",
            span(elapsed),
            judgement.summary()
        );
        return back_to_stable(state, Phase::RolledBack, why(cause));
    }
    let Some(hold_for) = policy.steps[step].hold.filter(|_| !held) else {
        return stay(state);
    };
    let hold_ms = millis(hold_for);
    if elapsed >= hold_ms && judgement.is_healthy() {
        let cause = format!(
            "{label} passed after {}: {}",
            span(elapsed),
            judgement.summary()
        );
        return enter_step(policy, state, step + 1, why(cause));
    }
    let wait_ms = millis(policy.inconclusive_wait(hold_for));
    if elapsed >= hold_ms.saturating_add(wait_ms) {
        let undecided = format!(
            "{label} undecided {} past its {} hold: {}",
            span(elapsed - hold_ms),
            span(hold_ms),
            judgement.summary()
        );
        return match policy.inconclusive.then {
            InconclusiveAction::Rollback => back_to_stable(
                state,
                Phase::RolledBack,
                why(format!(
                    "{undecided}; the policy rolls back an undecided canary"
                )),
            ),
            InconclusiveAction::Hold => hold(
                state,
                why(format!(
                    "{undecided}; the policy holds an undecided canary for a person to promote, advance, abort or roll back"
                )),
            ),
        };
    }
    stay(state)
}

fn stay(state: &Deployment) -> Outcome {
    Outcome {
        deployment: state.clone(),
        commands: Vec::new(),
        transition: None,
        judgement: None,
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Counts;
    use crate::machine::{Command, Input, advance};
    use crate::policy::{InconclusiveRule, Step};

    const T0: i64 = 1_700_000_000_000;
    const MIN: i64 = 60_000;

    fn canary(step: usize, weight: u8, held: bool) -> Deployment {
        Deployment {
            phase: Phase::Canary { step, weight, held },
            since: T0,
        }
    }

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

    /// Canary 1% of 3,000 beside stable 1% of 57,000: healthy.
    fn healthy() -> Window {
        window((3_000, 30), (57_000, 570))
    }

    /// Canary 5% of 300 beside a clean stable: failing.
    fn failing() -> Window {
        window((300, 15), (5_700, 0))
    }

    /// Too few canary requests: inconclusive.
    fn thin() -> Window {
        window((40, 0), (760, 0))
    }

    fn observe_at(policy: &CanaryPolicy, state: &Deployment, after: i64, w: Window) -> Outcome {
        observe_with(policy, state, after, w, SyntheticTally::default())
    }

    fn observe_with(
        policy: &CanaryPolicy,
        state: &Deployment,
        after: i64,
        w: Window,
        synthetic: SyntheticTally,
    ) -> Outcome {
        let input = Input::Observed {
            at: T0 + after,
            window: w,
            synthetic,
        };
        advance(policy, state, &input).expect("accepted")
    }

    const TO_STABLE: [Command; 3] = [
        Command::Route { canary_weight: 0 },
        Command::StopSynthetic,
        Command::RunDownHook,
    ];

    fn three_steps() -> CanaryPolicy {
        CanaryPolicy {
            steps: vec![
                Step {
                    weight: 5,
                    hold: Some(Duration::from_secs(600)),
                },
                Step {
                    weight: 25,
                    hold: Some(Duration::from_secs(600)),
                },
                Step {
                    weight: 100,
                    hold: None,
                },
            ],
            ..CanaryPolicy::default()
        }
    }

    #[test]
    fn healthy_before_the_hold_waits_and_shows_the_judgement() {
        let state = canary(0, 5, false);
        let out = observe_at(&CanaryPolicy::default(), &state, 9 * MIN, healthy());
        assert_eq!(out.deployment, state);
        assert_eq!(out.transition, None);
        assert!(out.commands.is_empty());
        assert!(out.judgement.expect("a judgement").is_healthy());
    }

    #[test]
    fn healthy_after_the_hold_passes_to_the_next_step() {
        let out = observe_at(&three_steps(), &canary(0, 5, false), 10 * MIN, healthy());
        assert_eq!(
            out.deployment,
            Deployment {
                phase: Phase::Canary {
                    step: 1,
                    weight: 25,
                    held: false
                },
                since: T0 + 10 * MIN
            }
        );
        assert_eq!(
            out.commands,
            vec![Command::Route { canary_weight: 25 }, Command::StartWindow]
        );
        let t = out.transition.expect("a transition");
        assert!(
            t.cause
                .starts_with("canary step 1 at 5% passed after 10m: canary 1.0% of 3,000 requests"),
            "{}",
            t.cause
        );
        assert!(t.cause.ends_with("→ healthy"), "{}", t.cause);
        assert!(t.evidence.is_some());
    }

    #[test]
    fn passing_the_last_judged_step_promotes() {
        let out = observe_at(
            &CanaryPolicy::default(),
            &canary(0, 5, false),
            10 * MIN,
            healthy(),
        );
        assert_eq!(out.deployment.phase, Phase::Promoted);
        assert_eq!(
            out.commands,
            vec![
                Command::Route { canary_weight: 100 },
                Command::StopSynthetic
            ]
        );
    }

    #[test]
    fn failing_rolls_back_at_once() {
        let out = observe_at(
            &CanaryPolicy::default(),
            &canary(0, 5, false),
            MIN,
            failing(),
        );
        assert_eq!(
            out.deployment,
            Deployment {
                phase: Phase::RolledBack,
                since: T0 + MIN
            }
        );
        assert_eq!(out.commands, TO_STABLE);
        let t = out.transition.expect("a transition");
        assert_eq!(t.actor, Actor::Gate);
        assert!(t.cause.starts_with("canary failing at canary step 1 at 5% after 1m: canary 5.0% of 300 requests vs stable 0.0% of 5,700"), "{}", t.cause);
        assert!(t.cause.ends_with("→ roll back"), "{}", t.cause);
        assert!(t.evidence.expect("evidence").errors.log_likelihood_ratio >= 4.6);
    }

    #[test]
    fn failing_rolls_back_a_held_step_too() {
        let out = observe_at(
            &CanaryPolicy::default(),
            &canary(0, 5, true),
            30 * MIN,
            failing(),
        );
        assert_eq!(out.deployment.phase, Phase::RolledBack);
    }

    #[test]
    fn a_failed_synthetic_check_rolls_back() {
        let synthetic = SyntheticTally {
            runs: 4,
            failed: 1,
            last_failed_run: Some("run-17".into()),
        };
        let out = observe_with(
            &CanaryPolicy::default(),
            &canary(0, 5, false),
            MIN,
            healthy(),
            synthetic.clone(),
        );
        assert_eq!(out.deployment.phase, Phase::RolledBack);
        assert_eq!(out.commands, TO_STABLE);
        assert_eq!(
            out.transition.expect("a transition").cause,
            "synthetic checks failed at canary step 1 at 5%: 1 of 4 runs failed, last run-17, 0 allowed"
        );
        let lenient = CanaryPolicy {
            synthetic_failures: 1,
            ..CanaryPolicy::default()
        };
        let out = observe_with(&lenient, &canary(0, 5, false), MIN, healthy(), synthetic);
        assert_eq!(out.deployment.phase, canary(0, 5, false).phase);
    }

    #[test]
    fn a_step_without_hold_waits_for_a_person_even_when_healthy() {
        let policy = CanaryPolicy {
            steps: vec![
                Step {
                    weight: 5,
                    hold: None,
                },
                Step {
                    weight: 100,
                    hold: None,
                },
            ],
            ..CanaryPolicy::default()
        };
        let state = canary(0, 5, true);
        let out = observe_at(&policy, &state, 120 * MIN, healthy());
        assert_eq!(out.deployment, state);
        assert_eq!(out.transition, None);
    }

    #[test]
    fn undecided_within_the_wait_keeps_going() {
        let state = canary(0, 5, false);
        let out = observe_at(&CanaryPolicy::default(), &state, 19 * MIN, thin());
        assert_eq!(out.deployment, state);
        assert!(matches!(out.judgement, Some(Judgement::Inconclusive(_))));
    }

    #[test]
    fn undecided_past_the_wait_rolls_back_by_default() {
        let out = observe_at(
            &CanaryPolicy::default(),
            &canary(0, 5, false),
            20 * MIN,
            thin(),
        );
        assert_eq!(out.deployment.phase, Phase::RolledBack);
        assert_eq!(out.commands, TO_STABLE);
        let cause = out.transition.expect("a transition").cause;
        assert!(
            cause.starts_with(
                "canary step 1 at 5% undecided 10m past its 10m hold: canary 0.0% of 40 requests"
            ),
            "{cause}"
        );
        assert!(
            cause.ends_with("; the policy rolls back an undecided canary"),
            "{cause}"
        );
    }

    #[test]
    fn undecided_past_the_wait_holds_when_the_policy_says_so() {
        let policy = CanaryPolicy {
            inconclusive: InconclusiveRule {
                wait: Some(Duration::from_secs(120)),
                then: InconclusiveAction::Hold,
            },
            ..CanaryPolicy::default()
        };
        let out = observe_at(&policy, &canary(0, 5, false), 12 * MIN, thin());
        assert_eq!(
            out.deployment,
            canary(0, 5, true),
            "the window goes on: `since` stays"
        );
        assert!(out.commands.is_empty());
        let t = out.transition.expect("a transition");
        assert_eq!(
            t.to,
            Phase::Canary {
                step: 0,
                weight: 5,
                held: true
            }
        );
        assert!(
            t.cause.contains("undecided 2m past its 10m hold"),
            "{}",
            t.cause
        );
        // Held: even healthy, it waits for a person now.
        let later = observe_at(&policy, &out.deployment, 30 * MIN, healthy());
        assert_eq!(later.transition, None);
    }

    #[test]
    fn an_observation_before_the_step_began_is_refused() {
        let input = Input::Observed {
            at: T0 - 1,
            window: healthy(),
            synthetic: SyntheticTally::default(),
        };
        let r =
            advance(&CanaryPolicy::default(), &canary(0, 5, false), &input).expect_err("refused");
        assert!(r.reason.contains("older than the step's start"), "{r}");
    }
}
