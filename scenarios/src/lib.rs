//! The gate scenario language.
//!
//! A scenario file is TOML: a name, options and a list of `[[step]]` tables. This crate owns
//! turning such files into the [`model`] and reporting every problem with its location. It does
//! no I/O: callers pass file contents in and get data (or diagnostics) back.
//!
//! Layout:
//! - [`model`]: the parsed scenario (plain data the runner executes).
//! - [`template`]: `{{var}}` / `{{secret.NAME}}` placeholders.
//! - [`diagnostic`]: problems with file positions, and their rustc-style rendering (the
//!   `gate_toml` crate's, which `gate.toml` diagnostics share).
//! - `parse`: one file → one [`Scenario`] (keys, types, durations, did-you-mean).
//! - `suite`: cross-file checks (unique names, `session` targets, cycles, variables).

pub mod model;
mod parse;
mod suite;
pub mod template;

pub use diagnostic::{Diagnostic, Severity};
pub use gate_toml::diagnostic;
pub use model::*;
pub use parse::parse_scenario;
pub use suite::{CheckOptions, SourceFile, Suite, check_suite};
pub use template::{Template, Vars};
