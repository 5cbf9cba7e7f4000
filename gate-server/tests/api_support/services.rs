//! A deploy service for tests that move deployments through the service with no controller.

use std::path::PathBuf;
use std::time::Duration;

use gate_server::config::{CanaryConfig, HookConfig, ServiceConfig, StepConfig, VersionAt};
use gate_traffic::{ProxyConfig, RouterConfig};

/// A service whose router is a gate proxy nobody runs (its calls fail at once), with a plan of
/// four steps: 5% and 25% for ten minutes, 50% until a person moves it on, 100%.
pub fn service(name: &str) -> ServiceConfig {
    ServiceConfig {
        name: name.into(),
        router: RouterConfig::Proxy(ProxyConfig::new("http://127.0.0.1:1", "proxy-token")),
        stable: Some(VersionAt {
            version: "v1".into(),
            url: "http://127.0.0.1:9001".into(),
        }),
        hooks: HookConfig {
            up: "echo http://127.0.0.1:9002".into(),
            down: None,
            rollback: None,
            timeout: Duration::from_secs(5),
        },
        canary: CanaryConfig {
            steps: Some(
                [(5, Some(600)), (25, Some(600)), (50, None), (100, None)]
                    .map(|(weight, hold)| StepConfig {
                        weight,
                        hold: hold.map(Duration::from_secs),
                    })
                    .to_vec(),
            ),
            ..CanaryConfig::default()
        },
        watchdog: Duration::from_secs(10),
        dir: PathBuf::from("."),
    }
}
