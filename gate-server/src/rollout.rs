//! Rolling a new version of a service out: the deploy hooks that bring versions up and down,
//! the traffic routers, the synthetic browser checks, and the controller that drives each
//! deployment through its canary steps with the pure policy, analysis and state machine of
//! [`gate_deploy`]. Use cases (deploy, promote, abort, rollback) are the service's
//! ([`crate::service`]); this module is the machinery they and the controller share.

pub mod controller;
pub mod execute;
pub mod hooks;
pub mod policy;
pub mod progress;
pub mod routers;
