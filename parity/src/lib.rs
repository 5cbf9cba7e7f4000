//! Staging parity: does staging show what production shows?
//!
//! Data flows one way: an environment → an [`Observation`] (what it showed, plain data) →
//! its [`items`](item::items) (named, comparable values such as `tls.protocol` or
//! `cookie.session.secure`) → a [`Comparison`] of two environments under [`Rules`] (what may
//! differ) → a verdict and a report.
//!
//! - [`observation`]: the model of what one environment shows.
//! - [`item`]: an observation as named items, and which values count as the same.
//! - [`rules`]: `ignore` patterns and the differences allowed by default.
//! - [`compare`]: two observations side by side.
//! - [`observe`] (feature `observe`): the driver that looks at a real environment — a TLS
//!   handshake with rustls, HTTP requests, probe commands. Everything else here is pure.

pub mod compare;
pub mod item;
pub mod observation;
#[cfg(feature = "observe")]
pub mod observe;
pub mod rules;

pub use compare::{Comparison, Difference, Row, Status, compare};
pub use observation::{
    Certificate, Cookie, HttpResponse, Observation, ProbeOutcome, ProbeResult, Tls, VersionDocument,
};
pub use rules::{Ignore, Invalid, Rules, request_path};

/// The response headers compared, lowercase, in the order they are shown.
pub const HEADERS: [&str; 8] = [
    "server",
    "strict-transport-security",
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "cache-control",
];

/// The two environments, as probe commands' `{env}` and the report name them.
pub const STAGING: &str = "staging";
pub const PRODUCTION: &str = "production";
