//! [`TrafficRouter`]: the one interface between the deploy controller and a traffic router,
//! and [`Backend`], a version of a service and where it listens.
//!
//! The trait says what a router does, not how: each driver ([`crate::ProxyRouter`],
//! [`crate::HaproxyRouter`]) maps it onto its router's own API. Every method is bounded by the
//! driver's configured timeout.

use std::future::Future;
use std::time::Duration;

use crate::error::RouterError;
use crate::sample::Sample;

/// One version of a service and the base URL of the process serving it
/// (`http://127.0.0.1:8081`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Backend {
    /// The version's name as the controller knows it (`v2`, a commit SHA): the router reports
    /// counters under it and the force header names it. ASCII letters, digits and `.`, `_`,
    /// `-`, `+`; at most 128 characters.
    pub version: String,
    pub url: String,
}

impl Backend {
    pub fn new(version: impl Into<String>, url: impl Into<String>) -> Backend {
        Backend {
            version: version.into(),
            url: url.into(),
        }
    }
}

/// A traffic router that splits a service's traffic between a stable version and at most one
/// canary.
///
/// Methods take `&self` and may be called concurrently; a driver reads what it needs from the
/// router on each call, so a new driver (after a gate server restart) picks up where the old
/// one left off.
pub trait TrafficRouter: Send + Sync {
    /// The router, for logs and error messages (`gate proxy at http://127.0.0.1:9901`).
    fn describe(&self) -> String;

    /// Sends `canary_weight` percent (0–100) of new requests to `canary` and the rest to
    /// `stable`, from the moment this returns. Weight 0 means no new request reaches the
    /// canary at all, including users whose sticky cookie names it: that is a rollback.
    /// `canary: None` routes everything to `stable` (after a promotion or a plain deploy).
    ///
    /// Idempotent: the whole table is sent each time, so calling it again with what the
    /// controller has stored restores a router that restarted or timed out half-way.
    fn route(
        &self,
        stable: &Backend,
        canary: Option<&Backend>,
        canary_weight: u8,
    ) -> impl Future<Output = Result<(), RouterError>> + Send;

    /// The cumulative counters of the two versions (see [`Sample`]: take deltas with
    /// [`Sample::since`]). `canary_version: None` reads the stable version only and leaves
    /// [`Sample::canary`] empty.
    fn sample(
        &self,
        stable_version: &str,
        canary_version: Option<&str>,
    ) -> impl Future<Output = Result<Sample, RouterError>> + Send;

    /// Arms or renews the router's own watchdog: if no heartbeat arrives within `timeout`, the
    /// router moves all traffic to the stable version by itself and records a
    /// [`crate::Fallback`]. A no-op on routers without one ([`Self::has_watchdog`]).
    fn heartbeat(&self, timeout: Duration) -> impl Future<Output = Result<(), RouterError>> + Send;

    /// Disarms the watchdog (the canary is over). A no-op on routers without one.
    fn disarm(&self) -> impl Future<Output = Result<(), RouterError>> + Send;

    /// Whether the router falls back to stable by itself when the gate server goes silent.
    /// Without a watchdog, a canary survives a gate server crash at its last weight: the
    /// server must resume from its stored state, or roll back, when it starts.
    fn has_watchdog(&self) -> bool;

    /// The header (name, value) that sends one request to `version` through this router,
    /// whatever the weights say, as long as the version is routed with a weight above zero.
    /// `None` when the router cannot force a version.
    fn force_header(&self, version: &str) -> Option<(&'static str, String)>;
}
