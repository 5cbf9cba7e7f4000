//! Chaos: real processes killed, stopped and cut off at seeded or chosen points, and gate's
//! promises checked afterwards from the API, the routers and the process table. Tests that
//! choose at random print their seed; `GATE_CHAOS_SEED=N` replays the choices and
//! `GATE_CHAOS_RUNS=N` makes the kill -9 test longer (the suite runs a short one).
//!
//! - [`runs`]: kill -9 of the server, agents, browsers and containers over many runs.
//! - [`canary`]: the server killed at each deployment state, the router restarted mid-canary,
//!   deploy hooks that fail or hang, the network to a canary cut.
//! - [`postgres`]: PostgreSQL stopped and started under a running server.
//! - [`full_disk`]: the SQLite file on a full disk (a small tmpfs).

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

#[path = "../common/mod.rs"]
mod common;

mod canary;
mod full_disk;
mod postgres;
mod runs;
