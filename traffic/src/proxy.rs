//! The driver for `gate proxy`: its admin API (HTTP JSON on a loopback address, bearer token).
//!
//! `gate proxy` is gate's own router: weighted routing with a sticky cookie, the
//! [`crate::FORCE_HEADER`], per-version counters with a latency histogram, and a watchdog that
//! moves all traffic to stable by itself when the gate server stops sending heartbeats. This
//! module only speaks its API; what the proxy does with requests is its own business.
//!
//! The API's JSON, paths and header names are defined once, in [`api`] (`gate_proxy::api`,
//! re-exported here): the proxy serves those types and this driver reads and writes them, so
//! the two cannot drift apart.
//!
//! - [`config`]: [`ProxyConfig`], the admin address and token.
//! - [`counts`]: the proxy's state turned into a [`crate::Sample`] (pure).
//! - [`driver`]: [`ProxyRouter`], the [`crate::TrafficRouter`] over HTTP.

pub mod config;
pub mod counts;
pub mod driver;

pub use config::ProxyConfig;
pub use driver::ProxyRouter;
pub use gate_proxy::api;
