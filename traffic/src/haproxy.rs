//! The driver for HAProxy, through its runtime API on the admin stats socket (a Unix stream
//! socket, one command per connection), and the HAProxy config it expects.
//!
//! # Slots
//! The service's backend has two server slots (`a` and `b` by default) with
//! `balance roundrobin`. [`HaproxyRouter::route`](crate::TrafficRouter::route) puts stable and
//! canary into them with `set server B/S addr IP port P`, and keeps a version in the slot it
//! already has: stable never moves, and a new canary takes the other slot. Which version sits
//! in which slot is kept in HAProxy itself, in the *versions map* (`v1 a`, `v2 b`), rewritten
//! atomically with `prepare map` / `add map @N` / `commit map @N` on every route. The driver
//! reads it back on each call, so a driver created after a gate server restart knows what sits
//! where, and the force header follows a version from slot to slot without a reload.
//!
//! # Weights and rollback
//! Weights are the percentages themselves (HAProxy weights are relative, 0–256, so 95 and 5
//! are exactly 95 % and 5 %). A slot at weight 0 is also put in `maint`: HAProxy keeps sending
//! users whose persistence cookie names a server to it at weight 0 (and in `drain`), and only
//! `maint` stops them (they are sent to the other slot and get a new cookie). So weight 0
//! means no request at all reaches the version, force header included. The order of commands
//! brings a slot up before the other goes down, so a switch never leaves no server ready.
//!
//! # Force header
//! `use-server SLOT if { req.hdr(X-Gate-Version),map(VERSIONS_MAP) -m str SLOT }`: the header
//! names a version, the map turns it into its current slot. HAProxy ignores the rule for a
//! slot in `maint`.
//!
//! # Counters (per server, from `show stat`)
//! - requests = `hrsp_1xx`..`hrsp_5xx` + `hrsp_other` (answers the server started) + `econ`
//!   (connections that failed after all retries; HAProxy answered 503 itself) + `eresp` −
//!   `srv_abrt` (answers the server never started; HAProxy answered 502/504). `srv_abrt` is
//!   the part of `eresp` where the server cut off an answer it had begun, already counted in
//!   its `hrsp_*` class.
//! - errors = `hrsp_5xx` + `econ` + `eresp` (cut-off answers count as errors: the user got a
//!   broken page; a 5xx that is also cut off counts twice, which errs toward rollback).
//! - latency: `None`. HAProxy only has `rtime`, the mean of the last 1024 answers, which is
//!   neither a p95 nor cumulative; comparing it with a p95 threshold would mislead.
//!
//! Counters belong to a slot, not a version: when a slot takes another version, its counters
//! carry the old one's. [`crate::Sample::instance`] therefore names HAProxy's process (pid and
//! start time) *and* what sits in each slot, so that samples across either change never
//! subtract.
//!
//! # No watchdog
//! HAProxy cannot fall back by itself when the gate server goes silent: `has_watchdog()` is
//! false and heartbeats are no-ops. A canary survives a gate server crash at its last weight;
//! the server must resume from its stored state (route again) or roll back when it starts. A
//! restarted HAProxy serves what its config file says (see [`generate`]) until routed again.
//!
//! - [`config`]: [`HaproxyConfig`], the socket, backend, slots and map the driver drives.
//! - [`address`]: a version's URL as the IP and port a slot connects to.
//! - [`socket`]: one runtime API command per connection, with a deadline.
//! - [`stat`]: `show stat` CSV and the counters above (pure).
//! - [`placement`]: what sits where, and the commands of a route (pure).
//! - [`driver`]: the [`HaproxyRouter`] itself.
//! - [`generate`]: [`HaproxyService`], the HAProxy config (and initial map) for one service.

pub mod address;
pub mod config;
pub mod driver;
pub mod generate;
pub mod placement;
pub mod socket;
pub mod stat;

pub use config::HaproxyConfig;
pub use driver::HaproxyRouter;
pub use generate::{HaproxyFiles, HaproxyService};
