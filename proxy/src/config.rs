//! What a proxy is started with: addresses, the initial table, the state file, the sticky
//! cookie, the admin token and the timeouts. Defaults live here and nowhere else.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::api::Routes;

/// The sticky cookie's default name.
pub const DEFAULT_COOKIE: &str = "gate_version";

#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Where production traffic comes in.
    pub listen: SocketAddr,
    /// The admin API (keep it on loopback).
    pub admin: SocketAddr,
    /// The table to start with; a table saved in `state_file` wins over it.
    pub routes: Option<Routes>,
    /// Where the table, the fallbacks and the watchdog's arming are saved on every change.
    pub state_file: Option<PathBuf>,
    pub sticky_cookie: String,
    /// Every admin request must carry `Authorization: Bearer <admin_token>`.
    pub admin_token: String,
    pub timeouts: Timeouts,
    /// Client connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Seeds the weighted draw (tests); `None` seeds from the OS.
    pub seed: Option<u64>,
}

impl ProxyConfig {
    /// A config with the defaults for everything but the addresses and the token.
    pub fn new(listen: SocketAddr, admin: SocketAddr, admin_token: impl Into<String>) -> Self {
        ProxyConfig {
            listen,
            admin,
            routes: None,
            state_file: None,
            sticky_cookie: DEFAULT_COOKIE.to_string(),
            admin_token: admin_token.into(),
            timeouts: Timeouts::default(),
            max_connections: 10_000,
            seed: None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Connecting to an upstream (then 502).
    pub connect: Duration,
    /// From sending a request upstream to its response headers (then 504).
    pub response_headers: Duration,
    /// A client's request headers must arrive within this (slow clients are dropped).
    pub client_headers: Duration,
    /// At shutdown, how long in-flight requests and open tunnels may take to finish.
    pub drain: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            response_headers: Duration::from_secs(30),
            client_headers: Duration::from_secs(30),
            drain: Duration::from_secs(30),
        }
    }
}
