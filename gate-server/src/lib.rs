//! The gate server: CI posts commits, the server runs the scenario suite against each commit's
//! staging build through a durable queue, and merge checks read one verdict per commit.
//!
//! Layout, lowest layer first (each uses only those above it):
//! - [`model`] — the vocabulary: run, job and commit states, outcomes.
//! - [`config`] — `gate.toml`.
//! - [`store`] — SQLite/PostgreSQL persistence and the job queue (leases); its own rows.
//! - [`clock`] — the time the delivery loops read and wait on: real, or simulated in tests.
//! - [`suite`] — reading and checking the scenario files for a run.
//! - [`verdict`] — a commit's combined verdict from its runs (pure).
//! - [`events`] — the one event stream the service announces its changes on.
//! - [`service`] — every use case: submit, cancel, read, the lease protocol. Everything below
//!   calls it.
//! - [`views`] — records as the API ([`gate_wire`]) and the reporters show them (pure).
//! - [`auth`] — bearer tokens, scopes, who a request is.
//! - [`app`] — the HTTP API and the route table; [`pages`] — the web pages; [`openapi`] —
//!   the API document, generated from the route table and the wire types.
//! - [`executor`] — runs leased jobs on a browser pool (embedded or `gate agent`).
//! - [`statuses`] — verdict changes become queued commit statuses; [`publish`] posts them.
//! - [`digest`] — the weekly digest: the scheduler queues it when due, the delivery loop
//!   sends it by e-mail and to Slack through the store's outbox (its pure `schedule` is the
//!   one part [`config`] reads).
//! - [`webhook`] — GitHub webhook signatures and events; [`metrics`] — Prometheus counters,
//!   fed by the event stream.
//! - [`parity`] — staging compared with production with `[parity]`'s settings (`gate
//!   parity`, and before a canary when `hold-deploys` is set).
//! - [`serve`] — `gate serve`: everything started and stopped in order.

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod digest;
pub mod events;
pub mod executor;
pub mod metrics;
pub mod model;
pub mod openapi;
pub mod pages;
pub mod parity;
pub mod publish;
pub mod review;
pub mod rollout;
pub mod serve;
pub mod service;
pub mod state;
pub mod statuses;
pub mod store;
pub mod suite;
pub mod verdict;
pub mod views;
pub mod webhook;
