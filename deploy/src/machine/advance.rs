//! [`advance`]: the transition function. One input, the current state and the policy in; the
//! next state, the commands and the transition out; or a [`Refusal`] when the input makes no
//! sense in the phase.
//!
//! This file holds the rules of every input but observations, which are in
//! `observe`.

use serde::{Deserialize, Serialize};

use super::command::Command;
use super::deployment::{Deployment, Phase};
use super::input::Input;
use super::moves::{Why, back_to_stable, enter_step};
use super::observe::observe;
use super::refusal::Refusal;
use super::transition::{Actor, Transition};
use crate::analysis::Judgement;
use crate::policy::CanaryPolicy;

/// What one input did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The state to persist.
    pub deployment: Deployment,
    /// To carry out in order.
    pub commands: Vec<Command>,
    /// The change of phase or step, to store for the audit; `None` when nothing changed.
    pub transition: Option<Transition>,
    /// For an observation, the judgement of its window, to show as the current evidence.
    pub judgement: Option<Judgement>,
}

/// Applies `input` to `state` under `policy` (the policy the deployment started with).
pub fn advance(
    policy: &CanaryPolicy,
    state: &Deployment,
    input: &Input,
) -> Result<Outcome, Refusal> {
    let refuse = |reason: &str| Refusal {
        input: input.name().to_owned(),
        phase: state.phase,
        reason: reason.to_owned(),
    };
    let judged_steps = policy.steps.len().saturating_sub(1);
    if matches!(state.phase, Phase::Canary { step, .. } if step >= judged_steps) {
        return Err(refuse(
            "the policy has no such step to judge: pass the policy the deployment started with",
        ));
    }
    let at = input.at();
    let gate = |cause: String| Why {
        at,
        actor: Actor::Gate,
        cause,
        evidence: None,
    };
    let person = |actor: &str, cause: String| Why {
        at,
        actor: Actor::Person(actor.to_owned()),
        cause,
        evidence: None,
    };
    match (input, state.phase) {
        (Input::Ready { .. }, Phase::Pending) => {
            if policy.steps.is_empty() {
                return Err(refuse("the policy has no steps: validate it first"));
            }
            let first = policy.steps[0];
            let cause = if first.weight >= 100 {
                "the deploy hook brought the new version up; the policy's first step is 100%"
                    .to_owned()
            } else {
                format!(
                    "the deploy hook brought the new version up; step 1 at {}%",
                    first.weight
                )
            };
            Ok(enter_step(policy, state, 0, gate(cause)))
        }
        (Input::Ready { .. }, _) => Err(refuse("the version is already up")),

        (Input::HookFailed { reason, .. }, Phase::Pending | Phase::Canary { .. }) => {
            Ok(back_to_stable(
                state,
                Phase::Failed,
                gate(format!("deploy hook failed: {reason}")),
            ))
        }
        (Input::RouterLost { reason, .. }, Phase::Pending | Phase::Canary { .. }) => Ok(
            back_to_stable(state, Phase::Failed, gate(format!("router lost: {reason}"))),
        ),
        (Input::HookFailed { .. } | Input::RouterLost { .. }, _) => Err(refuse(
            "the canary is over; the gate no longer routes or runs hooks for it",
        )),

        (
            Input::Observed {
                window, synthetic, ..
            },
            Phase::Canary { .. },
        ) => {
            if at < state.since {
                return Err(refuse(
                    "the observation is older than the step's start: it belongs to a window that is over",
                ));
            }
            Ok(observe(policy, state, at, window, synthetic))
        }
        (Input::Observed { .. }, _) => Err(refuse("only a canary step is observed")),

        (Input::Promote { actor, .. }, Phase::Canary { .. }) => {
            let last = policy.steps.len() - 1;
            let cause = format!("{actor} promoted from {}", state.phase);
            Ok(enter_step(policy, state, last, person(actor, cause)))
        }
        (Input::Advance { actor, .. }, Phase::Canary { step, .. }) => {
            let cause = format!("{actor} advanced from {}", state.phase);
            Ok(enter_step(policy, state, step + 1, person(actor, cause)))
        }
        (Input::Promote { .. } | Input::Advance { .. }, Phase::Pending) => Err(refuse(
            "the new version is not up yet: wait for its deploy hook",
        )),
        (Input::Promote { .. } | Input::Advance { .. }, _) => {
            Err(refuse("only a canary can be promoted or advanced"))
        }

        (Input::Abort { actor, reason, .. }, Phase::Pending | Phase::Canary { .. }) => {
            let cause = format!("{actor} aborted: {reason}");
            Ok(back_to_stable(state, Phase::Aborted, person(actor, cause)))
        }
        (Input::Abort { .. }, Phase::Promoted) => Err(refuse(
            "a promoted version is not aborted: roll it back instead",
        )),
        (Input::Abort { .. }, _) => Err(refuse("the deployment is already over")),

        (Input::Rollback { actor, reason, .. }, Phase::Canary { .. } | Phase::Promoted) => {
            let cause = format!("{actor} rolled back: {reason}");
            Ok(back_to_stable(
                state,
                Phase::RolledBack,
                person(actor, cause),
            ))
        }
        (Input::Rollback { .. }, Phase::Pending) => Err(refuse(
            "the new version gets no traffic yet: abort it instead",
        )),
        (Input::Rollback { .. }, _) => Err(refuse("traffic is already back on stable")),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::policy::Step;

    const T0: i64 = 1_700_000_000_000;

    fn canary(step: usize, weight: u8, held: bool) -> Deployment {
        Deployment {
            phase: Phase::Canary { step, weight, held },
            since: T0,
        }
    }

    fn at(phase: Phase) -> Deployment {
        Deployment { phase, since: T0 }
    }

    fn three_steps() -> CanaryPolicy {
        CanaryPolicy {
            steps: vec![
                Step {
                    weight: 5,
                    hold: Some(Duration::from_secs(600)),
                },
                Step {
                    weight: 50,
                    hold: None,
                },
                Step {
                    weight: 100,
                    hold: None,
                },
            ],
            ..CanaryPolicy::default()
        }
    }

    fn ok(policy: &CanaryPolicy, state: &Deployment, input: Input) -> Outcome {
        advance(policy, state, &input).expect("accepted")
    }

    fn refused(policy: &CanaryPolicy, state: &Deployment, input: Input) -> Refusal {
        advance(policy, state, &input).expect_err("refused")
    }

    fn promote() -> Input {
        Input::Promote {
            at: T0 + 1,
            actor: "ada".into(),
        }
    }

    fn rollback() -> Input {
        Input::Rollback {
            at: T0 + 1,
            actor: "ada".into(),
            reason: "checkout looks off".into(),
        }
    }

    fn abort() -> Input {
        Input::Abort {
            at: T0 + 1,
            actor: "ada".into(),
            reason: "wrong build".into(),
        }
    }

    const TO_STABLE: [Command; 3] = [
        Command::Route { canary_weight: 0 },
        Command::StopSynthetic,
        Command::RunDownHook,
    ];

    #[test]
    fn ready_starts_the_first_step() {
        let out = ok(
            &CanaryPolicy::default(),
            &Deployment::new(T0),
            Input::Ready { at: T0 + 9 },
        );
        assert_eq!(
            out.deployment,
            Deployment {
                phase: Phase::Canary {
                    step: 0,
                    weight: 5,
                    held: false
                },
                since: T0 + 9
            }
        );
        assert_eq!(
            out.commands,
            vec![
                Command::Route { canary_weight: 5 },
                Command::StartWindow,
                Command::StartSynthetic
            ]
        );
        let t = out.transition.expect("a transition");
        assert_eq!(
            (t.from, t.to, t.at, t.actor),
            (Phase::Pending, out.deployment.phase, T0 + 9, Actor::Gate)
        );
        assert_eq!(
            t.cause,
            "the deploy hook brought the new version up; step 1 at 5%"
        );
    }

    #[test]
    fn ready_with_only_a_100_step_promotes() {
        let policy = CanaryPolicy {
            steps: vec![Step {
                weight: 100,
                hold: None,
            }],
            ..CanaryPolicy::default()
        };
        let out = ok(&policy, &Deployment::new(T0), Input::Ready { at: T0 });
        assert_eq!(out.deployment.phase, Phase::Promoted);
        assert_eq!(out.commands, vec![Command::Route { canary_weight: 100 }]);
    }

    #[test]
    fn a_step_without_hold_starts_held() {
        let out = ok(
            &three_steps(),
            &canary(0, 5, false),
            Input::Advance {
                at: T0 + 5,
                actor: "ada".into(),
            },
        );
        assert_eq!(
            out.deployment.phase,
            Phase::Canary {
                step: 1,
                weight: 50,
                held: true
            }
        );
        assert_eq!(
            out.commands,
            vec![Command::Route { canary_weight: 50 }, Command::StartWindow]
        );
        let t = out.transition.expect("a transition");
        assert_eq!(t.actor, Actor::Person("ada".into()));
        assert_eq!(t.cause, "ada advanced from canary step 1 at 5%");
    }

    #[test]
    fn advance_from_the_last_judged_step_promotes() {
        let out = ok(
            &three_steps(),
            &canary(1, 50, true),
            Input::Advance {
                at: T0 + 5,
                actor: "ada".into(),
            },
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
    fn promote_goes_straight_to_100() {
        let out = ok(&three_steps(), &canary(0, 5, false), promote());
        assert_eq!(
            out.deployment,
            Deployment {
                phase: Phase::Promoted,
                since: T0 + 1
            }
        );
        assert_eq!(
            out.commands,
            vec![
                Command::Route { canary_weight: 100 },
                Command::StopSynthetic
            ]
        );
        let t = out.transition.expect("a transition");
        assert_eq!(t.cause, "ada promoted from canary step 1 at 5%");
        assert_eq!(t.actor, Actor::Person("ada".into()));
    }

    #[test]
    fn hook_failure_fails_a_pending_or_canary_deployment() {
        let input = || Input::HookFailed {
            at: T0 + 1,
            reason: "exit status 3".into(),
        };
        let pending = ok(&three_steps(), &Deployment::new(T0), input());
        assert_eq!(pending.deployment.phase, Phase::Failed);
        assert_eq!(pending.commands, vec![Command::RunDownHook]);
        assert_eq!(
            pending.transition.expect("a transition").cause,
            "deploy hook failed: exit status 3"
        );
        let during = ok(&three_steps(), &canary(0, 5, false), input());
        assert_eq!(during.deployment.phase, Phase::Failed);
        assert_eq!(during.commands, TO_STABLE);
    }

    #[test]
    fn router_lost_fails_the_canary_and_routes_back() {
        let out = ok(
            &three_steps(),
            &canary(1, 50, true),
            Input::RouterLost {
                at: T0 + 1,
                reason: "socket gone".into(),
            },
        );
        assert_eq!(out.deployment.phase, Phase::Failed);
        assert_eq!(out.commands, TO_STABLE);
        let t = out.transition.expect("a transition");
        assert_eq!(
            (t.actor, t.cause.as_str()),
            (Actor::Gate, "router lost: socket gone")
        );
    }

    #[test]
    fn abort_sends_traffic_back_and_names_the_person() {
        let out = ok(&three_steps(), &canary(0, 5, false), abort());
        assert_eq!(out.deployment.phase, Phase::Aborted);
        assert_eq!(out.commands, TO_STABLE);
        let t = out.transition.expect("a transition");
        assert_eq!(t.cause, "ada aborted: wrong build");
        let pending = ok(&three_steps(), &Deployment::new(T0), abort());
        assert_eq!(pending.deployment.phase, Phase::Aborted);
        assert_eq!(pending.commands, vec![Command::RunDownHook]);
    }

    #[test]
    fn rollback_during_the_canary_and_after_promotion() {
        let during = ok(&three_steps(), &canary(0, 5, false), rollback());
        assert_eq!(during.deployment.phase, Phase::RolledBack);
        assert_eq!(during.commands, TO_STABLE);
        assert_eq!(
            during.transition.expect("a transition").cause,
            "ada rolled back: checkout looks off"
        );
        let after = ok(&three_steps(), &at(Phase::Promoted), rollback());
        assert_eq!(after.deployment.phase, Phase::RolledBack);
        assert_eq!(
            after.commands,
            vec![Command::Route { canary_weight: 0 }, Command::RunDownHook]
        );
    }

    #[test]
    fn inputs_that_make_no_sense_are_refused_with_a_reason() {
        let p = three_steps();
        let r = refused(&p, &at(Phase::RolledBack), promote());
        assert_eq!(
            r.to_string(),
            "promote refused: the deployment is rolled back: only a canary can be promoted or advanced"
        );
        let r = refused(&p, &Deployment::new(T0), promote());
        assert!(r.reason.contains("not up yet"), "{r}");
        let r = refused(&p, &Deployment::new(T0), rollback());
        assert!(r.reason.contains("abort it instead"), "{r}");
        let r = refused(&p, &at(Phase::Promoted), abort());
        assert!(r.reason.contains("roll it back instead"), "{r}");
        for over in [Phase::RolledBack, Phase::Aborted, Phase::Failed] {
            refused(&p, &at(over), rollback());
            refused(&p, &at(over), abort());
            refused(&p, &at(over), Input::Ready { at: T0 });
            refused(
                &p,
                &at(over),
                Input::RouterLost {
                    at: T0,
                    reason: "x".into(),
                },
            );
            refused(
                &p,
                &at(over),
                Input::HookFailed {
                    at: T0,
                    reason: "x".into(),
                },
            );
            refused(
                &p,
                &at(over),
                Input::Advance {
                    at: T0,
                    actor: "ada".into(),
                },
            );
        }
        refused(
            &p,
            &at(Phase::Promoted),
            Input::RouterLost {
                at: T0,
                reason: "x".into(),
            },
        );
        refused(&p, &canary(0, 5, false), Input::Ready { at: T0 });
        let observed = Input::Observed {
            at: T0,
            window: Default::default(),
            synthetic: Default::default(),
        };
        for phase in [Phase::Pending, Phase::Promoted, Phase::RolledBack] {
            refused(&p, &at(phase), observed.clone());
        }
    }

    #[test]
    fn a_step_the_policy_does_not_have_is_refused() {
        let r = refused(&CanaryPolicy::default(), &canary(3, 50, false), promote());
        assert!(
            r.reason.contains("the policy the deployment started with"),
            "{r}"
        );
    }

    #[test]
    fn states_and_outcomes_round_trip_through_json() {
        let out = ok(&three_steps(), &canary(0, 5, false), rollback());
        let text = serde_json::to_string(&out).expect("serialises");
        let back: Outcome = serde_json::from_str(&text).expect("deserialises");
        assert_eq!(back, out);
        let input = serde_json::to_string(&rollback()).expect("serialises");
        assert!(input.starts_with(r#"{"input":"rollback","at":"#), "{input}");
    }
}
