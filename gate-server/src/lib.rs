//! The gate server: CI posts commits, the server runs the scenario suite against each commit's
//! staging build through a durable queue, and merge checks read one verdict per commit.
//!
//! Layout:
//! - [`wire`] — the API's request and response types (shared with the agent and the CLI).
//! - [`config`] — `gate.toml`.
//! - [`store`] — SQLite/PostgreSQL persistence and the job queue (leases).
//! - [`auth`] — bearer tokens and scopes.
//! - [`suite`] — reading and checking the scenario files for a run.

pub mod auth;
pub mod config;
pub mod store;
pub mod suite;
pub mod wire;
