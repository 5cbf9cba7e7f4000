//! [`Transition`]: one change of phase or step, as the audit stores it, and its [`Actor`].

use serde::{Deserialize, Serialize};

use super::deployment::Phase;
use crate::analysis::Evidence;

/// A change of phase or step, with who made it and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub from: Phase,
    pub to: Phase,
    /// Unix milliseconds, the input's `at`.
    pub at: i64,
    pub actor: Actor,
    /// A sentence for the deployment page: "step 1 at 5% passed after 10m: canary 1.0% of …".
    pub cause: String,
    /// The judgement's evidence when the analysis made the change.
    pub evidence: Option<Evidence>,
}

/// Who made a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "actor", content = "name", rename_all = "snake_case")]
pub enum Actor {
    /// The gate itself: a judgement, a hook, the router.
    Gate,
    /// A person, by name.
    Person(String),
}
