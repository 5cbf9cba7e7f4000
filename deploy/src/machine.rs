//! A deployment's life: the persisted [`Deployment`] state and [`advance`](fn@advance), the pure function
//! from a state, the policy and one [`Input`] to the next state, the [`Command`]s for the
//! controller, and the [`Transition`] for the audit.
//!
//! Phases: `Pending → Canary { step } → Promoted | RolledBack | Aborted | Failed`. Every change
//! of phase or step is a [`Transition`] naming its [`Actor`] and its cause; judgements that
//! make one carry their evidence. An input that makes no sense in the phase (promoting a
//! rolled-back deployment) is a [`Refusal`], never a panic. The machine reads no clock and
//! does no I/O: time is the inputs' `at`.
//!
//! Layout:
//! - [`deployment`]: [`Deployment`] and [`Phase`]. [`input`]: [`Input`] and
//!   [`SyntheticTally`]. [`command`]: [`Command`]. [`transition`]: [`Transition`] and
//!   [`Actor`]. [`refusal`]: [`Refusal`].
//! - [`advance`](mod@advance): the transition function and the rules of every input but
//!   observations; `observe`: the rules of a canary step; `moves`: entering a step and
//!   going back to stable, which those rules share.

pub mod advance;
pub mod command;
pub mod deployment;
pub mod input;
mod moves;
mod observe;
pub mod refusal;
pub mod transition;

pub use advance::{Outcome, advance};
pub use command::Command;
pub use deployment::{Deployment, Phase};
pub use input::{Input, SyntheticTally};
pub use refusal::Refusal;
pub use transition::{Actor, Transition};
