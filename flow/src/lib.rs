//! The release flow: the ordered stages a release goes through, from the test gate to the
//! weekly digest. gate runs some of them itself (the test gate, canary steps, promotion, the
//! digest); the others live in people's heads until a team declares them in `[release]` as
//! manual stages, each with its owners, its runbook and how long it usually takes.
//!
//! This crate is pure: the server reads the configuration and the history and hands them in;
//! what comes out is plain data (a [`FlowReport`]) and an SVG diagram of it.
//!
//! - [`model`]: stages as declared ([`StageDecl`]) and as shown ([`Stage`]), and how a flow is
//!   made from a declaration and what gate's configuration says it runs ([`Flow::new`]).
//! - [`history`]: what happened per stage ([`History`]): runs, deployments, digests and the
//!   manual performances people recorded, each release by its version.
//! - [`stats`]: per stage, how often it ran in the window, its median duration and its
//!   failure share.
//! - [`risks`]: single owners, missing runbooks, stages nobody performed lately.
//! - [`report`]: all of that together.
//! - [`diagram`]: the report as an SVG diagram, laid out by layout-rs.

pub mod diagram;
pub mod history;
pub mod model;
pub mod report;
pub mod risks;
pub mod stats;

pub use history::{History, Occurrence, Performance};
pub use model::{Automated, Flow, Stage, StageDecl, StageKind};
pub use report::{FlowReport, StageReport, report};
pub use risks::{Risk, RiskKind};
pub use stats::StageStats;

/// How many of the latest releases a manual stage must have been performed in, unless
/// `[release] recent-releases` says otherwise.
pub const RECENT_RELEASES: u32 = 5;

/// The window of the statistics, in days.
pub const WINDOW_DAYS: i64 = 90;
