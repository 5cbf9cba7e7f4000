//! The gate server: CI posts commits, the server runs the scenario suite against each commit's
//! staging build through a durable queue, and merge checks read one verdict per commit.
//!
//! Layout:
//! - [`wire`] — the API's request and response types (shared with the agent and the CLI).
//! - [`config`] — `gate.toml`.
//! - [`store`] — SQLite/PostgreSQL persistence and the job queue (leases).
//! - [`auth`] — bearer tokens and scopes.
//! - [`suite`] — reading and checking the scenario files for a run.
//! - [`app`] — the HTTP API; [`pages`] — the web pages; [`openapi`] — the API document.
//! - [`verdict`] — runs and commits as people and merge checks see them.
//! - [`executor`] — runs leased jobs on a browser pool (embedded or `gate agent`).
//! - [`webhook`] — GitHub webhook signatures and events; [`publish`] — commit statuses.
//! - [`serve`] — `gate serve`: everything started and stopped in order.

pub mod app;
pub mod auth;
pub mod config;
pub mod executor;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod publish;
pub mod serve;
pub mod state;
pub mod store;
pub mod suite;
pub mod verdict;
pub mod webhook;
pub mod wire;
