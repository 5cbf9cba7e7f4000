//! [`RouterConfig`] and [`AnyRouter`]: the driver chosen from the server's config at run time.
//! An enum rather than boxed trait objects: the set of drivers is closed and known here, and
//! the trait's futures stay `Send` without boxing.

use std::time::Duration;

use crate::error::RouterError;
use crate::haproxy::{HaproxyConfig, HaproxyRouter};
use crate::proxy::{ProxyConfig, ProxyRouter};
use crate::router::{Backend, TrafficRouter};
use crate::sample::Sample;

/// Which router a service's traffic goes through, and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouterConfig {
    Proxy(ProxyConfig),
    Haproxy(HaproxyConfig),
}

impl RouterConfig {
    /// One line for logs.
    pub fn describe(&self) -> String {
        match self {
            RouterConfig::Proxy(config) => config.describe(),
            RouterConfig::Haproxy(config) => config.describe(),
        }
    }
}

/// Any of the drivers, as one [`TrafficRouter`].
#[derive(Debug, Clone)]
pub enum AnyRouter {
    Proxy(ProxyRouter),
    Haproxy(HaproxyRouter),
}

impl AnyRouter {
    /// The driver for `config`. Fails only on settings no call could work with.
    pub fn new(config: &RouterConfig) -> Result<AnyRouter, RouterError> {
        Ok(match config {
            RouterConfig::Proxy(config) => AnyRouter::Proxy(ProxyRouter::new(config)?),
            RouterConfig::Haproxy(config) => AnyRouter::Haproxy(HaproxyRouter::new(config)?),
        })
    }
}

impl TrafficRouter for AnyRouter {
    fn describe(&self) -> String {
        match self {
            AnyRouter::Proxy(router) => router.describe(),
            AnyRouter::Haproxy(router) => router.describe(),
        }
    }

    async fn route(
        &self,
        stable: &Backend,
        canary: Option<&Backend>,
        canary_weight: u8,
    ) -> Result<(), RouterError> {
        match self {
            AnyRouter::Proxy(router) => router.route(stable, canary, canary_weight).await,
            AnyRouter::Haproxy(router) => router.route(stable, canary, canary_weight).await,
        }
    }

    async fn sample(
        &self,
        stable_version: &str,
        canary_version: Option<&str>,
    ) -> Result<Sample, RouterError> {
        match self {
            AnyRouter::Proxy(router) => router.sample(stable_version, canary_version).await,
            AnyRouter::Haproxy(router) => router.sample(stable_version, canary_version).await,
        }
    }

    async fn heartbeat(&self, timeout: Duration) -> Result<(), RouterError> {
        match self {
            AnyRouter::Proxy(router) => router.heartbeat(timeout).await,
            AnyRouter::Haproxy(router) => router.heartbeat(timeout).await,
        }
    }

    async fn disarm(&self) -> Result<(), RouterError> {
        match self {
            AnyRouter::Proxy(router) => router.disarm().await,
            AnyRouter::Haproxy(router) => router.disarm().await,
        }
    }

    fn has_watchdog(&self) -> bool {
        match self {
            AnyRouter::Proxy(router) => router.has_watchdog(),
            AnyRouter::Haproxy(router) => router.has_watchdog(),
        }
    }

    fn force_header(&self, version: &str) -> Option<(&'static str, String)> {
        match self {
            AnyRouter::Proxy(router) => router.force_header(version),
            AnyRouter::Haproxy(router) => router.force_header(version),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The controller spawns router calls: their futures must be `Send`.
    fn assert_send<T: Send>(_: T) {}

    #[test]
    fn picks_the_driver_from_config_and_its_futures_are_send() {
        let proxy = AnyRouter::new(&RouterConfig::Proxy(ProxyConfig::new(
            "http://127.0.0.1:9901",
            "t",
        )))
        .unwrap();
        assert!(proxy.has_watchdog());
        let haproxy = AnyRouter::new(&RouterConfig::Haproxy(HaproxyConfig::new(
            "/run/gate/haproxy.sock",
            "shop",
            "/run/gate/versions.map",
        )))
        .unwrap();
        assert!(!haproxy.has_watchdog());
        assert_eq!(
            haproxy.force_header("v2"),
            Some(("X-Gate-Version", "v2".to_string()))
        );
        let stable = Backend::new("v1", "http://127.0.0.1:8081");
        assert_send(haproxy.route(&stable, None, 0));
        assert_send(proxy.sample("v1", None));
        assert_send(haproxy.heartbeat(Duration::from_secs(5)));
    }

    #[test]
    fn a_malformed_admin_url_is_refused_up_front() {
        let error = AnyRouter::new(&RouterConfig::Proxy(ProxyConfig::new(
            "127.0.0.1:9901",
            "t",
        )))
        .unwrap_err();
        assert!(error.detail.contains("http://127.0.0.1:PORT"), "{error}");
    }
}
