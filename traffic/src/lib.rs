//! Traffic routers for canary deploys: how the gate server splits a service's traffic between
//! its stable version and a canary, reads per-version counters, keeps a router's watchdog alive
//! and rolls back (canary weight 0).
//!
//! The deploy controller is written against [`TrafficRouter`] and nothing else; the server
//! picks a driver from its config at run time through [`AnyRouter`] (built from a
//! [`RouterConfig`]). Tests of the controller can implement the trait for a fake.
//!
//! This crate owns talking to routers and turning their answers into [`Sample`]s. It must not
//! decide anything about a canary (when to ramp, whether errors are too many: that is the
//! controller's job) and it keeps no state a restart would lose: what sits where is read from
//! the router itself on every call.
//!
//! Layout:
//! - [`router`]: the [`TrafficRouter`] trait and [`Backend`].
//! - [`sample`]: [`Sample`], [`VersionCounts`], [`LatencyHistogram`], [`Fallback`] (plain data).
//! - [`error`]: [`RouterError`] and its [`RouterErrorKind`].
//! - [`route_table`]: the checks every driver applies to a `route` call before any I/O.
//! - [`any`]: [`RouterConfig`] and [`AnyRouter`], the run-time choice of driver.
//! - [`proxy`]: the driver for `gate proxy`'s admin API.
//! - [`haproxy`]: the driver for HAProxy's runtime API, and the HAProxy config it expects.

pub mod any;
pub mod error;
pub mod haproxy;
pub mod proxy;
pub mod route_table;
pub mod router;
pub mod sample;

pub use any::{AnyRouter, RouterConfig};
pub use error::{Action, RouterError, RouterErrorKind};
pub use haproxy::{HaproxyConfig, HaproxyFiles, HaproxyRouter, HaproxyService};
pub use proxy::{ProxyConfig, ProxyRouter};
pub use router::{Backend, TrafficRouter};
pub use sample::{Fallback, Interval, LatencyHistogram, Sample, VersionCounts};

/// The request header that sends one request to a named version, whatever the weights and the
/// sticky cookie say (`X-Gate-Version: v2`): synthetic checks use it to reach the canary
/// through the router. Both drivers honour it for every version they route with a weight above
/// zero; see [`TrafficRouter::force_header`].
pub const FORCE_HEADER: &str = "X-Gate-Version";
