//! The gate runner: executes scenarios in a pool of headless Chromium browsers and turns what
//! happened into plain result data, which the reporters render.
//!
//! Data flows one way: [`pool::run`] takes a parsed [`gate_scenarios::Suite`] and a
//! [`config::RunConfig`], sends [`event::RunEvent`]s while it works and returns a
//! [`result::RunResult`]; the [`report`] modules turn that into files.
//!
//! Layout:
//! - [`pool`]: long-lived browser workers that run scenario jobs.
//! - `batch`: one run of a suite (`gate run`).
//! - `scenario_run`: all attempts of one scenario (retries, sessions, fresh browsers).
//! - [`context`]: what the scenarios of one run share.
//! - `attempt`: one attempt of one scenario in a fresh browser context, phase by phase.
//! - `step`: one step — action, expectations, captures, and the page-load waits (`wait_until`).
//! - `page`: the context and page, page events, the in-page probe and real input.
//! - [`backend`]: where browsers come from (local processes, Docker containers, remote
//!   DevTools endpoints) and isolation levels.
//! - [`browser`]: one owned Chromium process.
//! - `session`: reuse of another scenario's final browser state.
//! - `scope`: variables and secret redaction; `unique`: the `{{unique}}` built-in.

mod attempt;
pub mod backend;
mod batch;
pub mod browser;
pub mod config;
pub mod context;
mod error;
pub mod event;
mod page;
pub mod pool;
pub mod report;
pub mod result;
mod run_id;
mod scenario_run;
mod scope;
mod session;
mod step;
mod unique;

pub use backend::{Backend, BackendError, Isolation};
pub use batch::run;
pub use config::{BrowserOptions, DEFAULT_RECYCLE_AFTER, RunConfig};
pub use context::RunContext;
pub use event::RunEvent;
pub use pool::BrowserPool;
pub use scope::Redactor;
