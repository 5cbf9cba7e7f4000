//! The gate runner: executes scenarios in a pool of headless Chromium browsers and turns what
//! happened into plain result data, which the reporters render.
//!
//! Data flows one way: [`pool::run`] takes a parsed [`gate_scenarios::Suite`] and a
//! [`config::RunConfig`], sends [`event::RunEvent`]s while it works and returns a
//! [`result::RunResult`]; the [`report`] modules turn that into files.
//!
//! Layout:
//! - [`pool`]: the queue, the workers and their retries.
//! - `attempt`: one attempt of one scenario in a fresh browser context.
//! - `step`: one step — action, expectations, captures.
//! - `page`: the context and page, page events, the in-page probe and real input.
//! - [`browser`]: one owned Chromium process.
//! - `session`: reuse of another scenario's final browser state.
//! - `scope`: variables and secret redaction.

mod attempt;
pub mod browser;
pub mod config;
mod error;
pub mod event;
mod page;
pub mod pool;
pub mod report;
pub mod result;
mod run_id;
mod scope;
mod session;
mod step;

pub use config::{BrowserOptions, RunConfig};
pub use event::RunEvent;
pub use pool::run;
pub use scope::Redactor;
