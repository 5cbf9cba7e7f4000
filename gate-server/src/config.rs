//! `gate.toml`: the server's configuration. (Skeleton: being written.)

use std::path::PathBuf;
use std::time::Duration;

/// The parsed configuration, with defaults applied and environment overrides merged.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on, e.g. `127.0.0.1:8470`.
    pub listen: String,
    /// `sqlite://gate.db` or `postgres://user@host/db`.
    pub database_url: String,
    /// Base of links in statuses and pages, e.g. `https://gate.example.com`.
    pub public_url: String,
    /// Scenario files or directories.
    pub scenarios: Vec<PathBuf>,
    /// Used when a submission or webhook gives no base URL.
    pub default_base_url: Option<String>,
    /// Browsers of the embedded pool; 0 = agents only.
    pub workers: usize,
    pub browser: Option<PathBuf>,
    pub browser_args: Vec<String>,
    pub step_timeout: Duration,
    pub scenario_timeout: Duration,
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// How many times a job is handed out before it ends as `error`.
    pub max_leases: u32,
}
