//! The canary policy of a service: see [`crate::config::canary`], where its keys are read.

pub use crate::config::canary::policy;
