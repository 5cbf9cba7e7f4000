//! [`HaproxyConfig`]: which HAProxy socket, backend, slots and versions map the driver drives.
//! Plain data: the server's config reader fills it, or [`super::HaproxyService::router_config`]
//! derives it from a generated config.

use std::path::PathBuf;
use std::time::Duration;

/// How to reach and drive one service's backend in one HAProxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaproxyConfig {
    /// The admin stats socket (`stats socket PATH mode 600 level admin` in `global`).
    pub socket: PathBuf,
    /// The backend that serves the service.
    pub backend: String,
    /// Its two server slots.
    pub slots: [String; 2],
    /// The map file the backend's `use-server` rules look the force header up in, as written
    /// in HAProxy's config (the runtime API names a map by its file).
    pub versions_map: PathBuf,
    /// The longest one call may take, all its commands together.
    pub timeout: Duration,
}

impl HaproxyConfig {
    /// The default timeout for one call.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Slots `a` and `b`, the default timeout.
    pub fn new(
        socket: impl Into<PathBuf>,
        backend: impl Into<String>,
        versions_map: impl Into<PathBuf>,
    ) -> HaproxyConfig {
        HaproxyConfig {
            socket: socket.into(),
            backend: backend.into(),
            slots: ["a".into(), "b".into()],
            versions_map: versions_map.into(),
            timeout: HaproxyConfig::DEFAULT_TIMEOUT,
        }
    }

    /// One line for logs: ``HAProxy backend `shop` (slots a, b) on /run/haproxy.sock``.
    pub fn describe(&self) -> String {
        format!(
            "HAProxy backend `{}` (slots {}, {}) on {}",
            self.backend,
            self.slots[0],
            self.slots[1],
            self.socket.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_backend_slots_and_socket() {
        let config = HaproxyConfig::new("/run/gate/haproxy.sock", "shop", "/run/gate/v.map");
        assert_eq!(
            config.describe(),
            "HAProxy backend `shop` (slots a, b) on /run/gate/haproxy.sock"
        );
    }
}
