//! `gate proxy`: gate's built-in traffic router for canary deploys. It runs as its own
//! process, so restarting the gate server never drops production traffic.
//!
//! # Behaviour
//!
//! **Routing.** A table of versions (name, upstream `http://` URL, weight 0–100, weights adding
//! up to 100) and which one is stable. For each request, in order:
//! 1. `X-Gate-Version: <name>` naming a version of the table with a weight above 0 forces it
//!    (synthetic checks of a canary, even at 1 %). The sticky cookie is left as it was. A
//!    version at weight 0 cannot be forced: anyone can send the header, and a rollback or a
//!    fallback must keep every request off the canary.
//! 2. The sticky cookie (`gate_version=<name>`, name set by `--sticky-cookie`) keeps a user on
//!    its version for the length of the canary, even as weights move, so a checkout never
//!    switches versions halfway. A cookie naming a version that is gone or now has weight 0
//!    (rolled back) is ignored: after a rollback no request reaches the canary.
//! 3. Otherwise a weighted random draw picks the version, and the response sets the cookie
//!    (`Set-Cookie: gate_version=<name>; Path=/; HttpOnly; SameSite=Lax`, a session cookie).
//!
//! Every response carries `X-Gate-Version: <name>`, the version that served it. Upstreams get
//! the original `Host`, `X-Forwarded-For` with the client's address appended,
//! `X-Forwarded-Proto: http`, `X-Forwarded-Host` (the request's `Host`) and `X-Gate-Version`.
//! Hop-by-hop fields (RFC 9110 §7.6.1: `Connection` and what it names, `Keep-Alive`, `TE`,
//! `Trailer`, `Transfer-Encoding`, `Upgrade`, `Proxy-Connection`, `Proxy-Authorization`,
//! `Proxy-Authenticate`) are not forwarded. Bodies stream both ways; nothing is buffered
//! whole. Client connections are HTTP/1.1 keep-alive; upstream connections are pooled and
//! reused. `Upgrade` requests (WebSocket) are passed through: the upstream's 101, then bytes
//! copied both ways. A weight change applies to the next request; open connections are not
//! touched.
//!
//! **Failures.** An upstream that refuses or fails the connection (or does not connect within
//! `--connect-timeout`): 502 and a connection error for that version. One that fails after
//! connecting: 502; one that sends no response headers within `--response-timeout`: 504; both
//! count as response errors.
//!
//! **Counters**, per version, cumulative since the version entered the table and kept by name
//! across table replacements: requests, responses by class, connection errors, response
//! errors, and a histogram of the time to response headers (buckets 1, 2, 5, 10, 25, 50, 100,
//! 250, 500, 1000, 2500, 5000 ms, +Inf). A new `instance` id and `started_at_ms` at each start
//! tell a client that counters restarted.
//!
//! **Watchdog.** A canary never runs unwatched: `POST /api/heartbeat {"timeout_ms": 5000}` arms
//! it (or renews it). If no heartbeat follows within the timeout, the proxy moves all weight
//! to stable by itself (others to 0), records a fallback (`"no heartbeat from the controller
//! for 5s"`), prints it on stderr, saves it, and disarms. `DELETE /api/heartbeat` disarms
//! (the canary ended). With `--state`, an armed watchdog is re-armed at the next start.
//!
//! **State file** (`--state FILE`): the table, the fallbacks and the watchdog's arming, written
//! atomically on every change and at start; a table saved there wins over `--version` flags.
//!
//! **Shutdown** (SIGTERM, Ctrl-C): stop accepting, let in-flight requests and tunnels finish
//! for `--drain-timeout`, cut the rest, exit 0.
//!
//! # Command line
//!
//! ```text
//! GATE_PROXY_TOKEN=… gate proxy --listen 127.0.0.1:8080 --admin 127.0.0.1:8081 \
//!     --version v1=http://127.0.0.1:9001 [--version v2=http://127.0.0.1:9002 --weight v2=0] \
//!     [--stable v1] [--state FILE] [--sticky-cookie gate_version] [--admin-token-env VAR] \
//!     [--connect-timeout 2s] [--response-timeout 30s] [--drain-timeout 30s]
//! ```
//! The first `--version` is stable unless `--stable` says otherwise; versions without
//! `--weight` get 0, except stable, which gets what the others leave of 100. The admin token
//! is read from the variable `--admin-token-env` names (default `GATE_PROXY_TOKEN`); without
//! one the proxy refuses to start (exit 2). When ready it prints
//! `gate proxy listening on http://ADDR (admin http://ADDR)` (the bound ports with port 0).
//!
//! # Admin API
//!
//! HTTP JSON on `--admin`; every route needs `Authorization: Bearer <token>` (else 401). Types
//! in [`api`].
//! - `GET /api/state`: [`api::State`]: instance, started_at_ms, stable, versions with weights
//!   and counters (latency buckets cumulative, `[[1, n], …, ["+Inf", n]]`), watchdog,
//!   fallbacks.
//! - `PUT /api/routes` ([`api::Routes`]): replaces the table atomically and answers with the
//!   new state; 422 `{"error", "field"}` for a bad table (weights not adding up to 100,
//!   unknown stable, bad URL, duplicate or bad names, unknown fields); 400 for a body that is
//!   not JSON; 500 when it cannot be saved (then nothing changed).
//! - `POST /api/heartbeat` ([`api::Heartbeat`], 50 ms to 1 h) / `DELETE /api/heartbeat`:
//!   answer with [`api::Watchdog`].
//! - `GET /metrics`: the same counters in Prometheus text format (`gate_proxy_*`).
//!
//! # Layout
//! - [`api`]: wire types, paths, header names (public: the client's contract).
//! - `config`: [`ProxyConfig`], [`Timeouts`] and their defaults.
//! - `proxy`: [`Proxy`]: start (restore, bind, spawn) and shutdown (drain, cut).
//! - `listener`: the accept loop and client connections.
//! - `forward`: the request path; `assign`: which version; `cookie`, `headers`: header rules;
//!   `tunnel`: upgraded connections.
//! - `table`: a validated routing table and the weighted draw; `upstream`: upstream URLs;
//!   `counters`: per-version counters.
//! - `routing`: the live table, its changes and their saving; `state_file`: the file;
//!   `watchdog`: heartbeats and the fallback deadline.
//! - `admin`, `auth`, `admin_error`, `metrics`: the admin API.

pub mod api;

mod admin;
mod admin_error;
mod assign;
mod auth;
mod config;
mod cookie;
mod counters;
mod forward;
mod headers;
mod listener;
mod metrics;
mod proxy;
mod routing;
mod state_file;
mod table;
mod tunnel;
mod upstream;
mod watchdog;

pub use config::{DEFAULT_COOKIE, ProxyConfig, Timeouts};
pub use proxy::{Drained, Proxy, StartError, TableOrigin};
pub use state_file::StateFileError;
pub use table::InvalidRoutes;

/// Checks an upstream URL with the table's rule (`http://host:port[/base-path]`), so a
/// command line can refuse a bad one as it is read.
pub fn check_upstream_url(url: &str) -> Result<(), String> {
    upstream::Upstream::parse(url).map(drop)
}
