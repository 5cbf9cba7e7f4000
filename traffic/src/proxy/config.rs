//! [`ProxyConfig`]: where `gate proxy`'s admin API listens and how to authenticate. Plain data:
//! the server's config reader fills it.

use std::fmt;
use std::time::Duration;

/// How to reach one `gate proxy`'s admin API.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    /// The admin API's base URL (`http://127.0.0.1:9901`), not the traffic port.
    pub admin_url: String,
    /// The bearer token `gate proxy` was started with. Never logged.
    pub token: String,
    /// The longest any one call may take, connection included.
    pub timeout: Duration,
}

impl ProxyConfig {
    /// The default timeout for one admin call.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    pub fn new(admin_url: impl Into<String>, token: impl Into<String>) -> ProxyConfig {
        ProxyConfig {
            admin_url: admin_url.into(),
            token: token.into(),
            timeout: ProxyConfig::DEFAULT_TIMEOUT,
        }
    }

    /// One line for logs: `gate proxy at http://127.0.0.1:9901`. Leaves the token out.
    pub fn describe(&self) -> String {
        format!("gate proxy at {}", self.admin_url)
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("admin_url", &self.admin_url)
            .field("token", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_stays_out_of_logs() {
        let config = ProxyConfig::new("http://127.0.0.1:9901", "s3cret");
        assert_eq!(config.describe(), "gate proxy at http://127.0.0.1:9901");
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
