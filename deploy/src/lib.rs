//! Canary deploys as pure logic: what a rollout may do ([`policy`]), whether the canary is
//! worse than stable ([`analysis`]), and what happens next ([`machine`]).
//!
//! No I/O, no async, no clock: time comes in as unix milliseconds in the inputs. The gate
//! server drives it from a controller task that samples a traffic router's counters every
//! [`CanaryPolicy::interval`], feeds each sample in as [`Input::Observed`], carries out the
//! [`Command`]s that come back (route traffic, start a fresh window, run hooks) and stores
//! every [`Transition`] for the audit. Everything here is `Serialize`/`Deserialize` so that
//! states and evidence can be stored and shown as they are.
//!
//! Layout:
//! - [`policy`]: [`CanaryPolicy`], its defaults and its validation ([`PolicyError`]).
//! - [`analysis`]: [`judge`](fn@judge) a [`Window`] of counts into a [`Judgement`] with [`Evidence`];
//!   its module doc derives the sequential test, states what it guarantees and gives the
//!   figures of the simulations in `tests/simulation.rs` (false rollbacks, detection, time to
//!   decide).
//! - [`machine`]: [`Deployment`], the persisted state, and [`advance`](fn@advance), the transition function
//!   from a state and an [`Input`] to the next state, [`Command`]s and a [`Transition`].

pub mod analysis;
pub mod machine;
pub mod policy;

pub use analysis::{Counts, Evidence, Judgement, Window, judge};
pub use machine::{
    Actor, Command, Deployment, Input, Outcome, Phase, Refusal, SyntheticTally, Transition, advance,
};
pub use policy::{
    CanaryPolicy, InconclusiveAction, InconclusiveRule, LatencyBound, PolicyError, Step,
};
