//! `--backend` and its options: where `gate run` starts its browsers, and the isolation level.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use gate_runner::backend::cdp::CdpEndpoint;
use gate_runner::backend::docker::{DEFAULT_IMAGE, DockerNetwork, DockerOptions};
use gate_runner::{Backend, BackendError, BrowserOptions, Isolation};
use gate_scenarios::Suite;

use crate::exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    /// Chromium processes on this machine.
    Local,
    /// One container per browser on a Docker engine (DOCKER_HOST or the local socket).
    Docker,
    /// Browsers behind DevTools endpoints (--cdp-endpoint).
    Cdp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IsolationArg {
    /// A fresh browser context per scenario in a kept browser: fastest.
    Context,
    /// A fresh browser per scenario.
    Browser,
    /// A fresh container per scenario (docker): strongest.
    Container,
}

impl From<IsolationArg> for Isolation {
    fn from(a: IsolationArg) -> Isolation {
        match a {
            IsolationArg::Context => Isolation::Context,
            IsolationArg::Browser => Isolation::Browser,
            IsolationArg::Container => Isolation::Container,
        }
    }
}

#[derive(Debug, Args)]
pub struct BackendArgs {
    /// Where browsers run.
    #[arg(long, env = "GATE_BACKEND", value_enum, default_value_t = BackendKind::Local, help_heading = "Browsers")]
    pub backend: BackendKind,
    /// What a scenario shares with the one before it on the same worker; a scenario's
    /// `isolation:<level>` tag can ask for more.
    #[arg(long, env = "GATE_ISOLATION", value_enum, default_value_t = IsolationArg::Context, help_heading = "Browsers")]
    pub isolation: IsolationArg,
    /// The browser image (--backend docker), built by containers/build-image.
    #[arg(long, env = "GATE_DOCKER_IMAGE", default_value = DEFAULT_IMAGE, value_name = "IMAGE", help_heading = "Browsers")]
    pub docker_image: String,
    /// Put browser containers on this Docker network (where the system under test runs as a
    /// container) instead of the default bridge with the host's loopback forwarded.
    #[arg(
        long,
        env = "GATE_DOCKER_NETWORK",
        value_name = "NAME",
        help_heading = "Browsers"
    )]
    pub docker_network: Option<String>,
    /// Another host loopback port to make reachable from browser containers at the same
    /// address (repeatable); the --base-url port is forwarded already.
    #[arg(
        long = "docker-forward",
        value_name = "PORT",
        help_heading = "Browsers"
    )]
    pub docker_forward: Vec<u16>,
    /// Memory limit of each browser container, e.g. 1g or 768m.
    #[arg(long, default_value = "1g", value_parser = parse_size, value_name = "SIZE", help_heading = "Browsers")]
    pub docker_memory: i64,
    /// CPU limit of each browser container.
    #[arg(
        long,
        default_value_t = 1.0,
        value_name = "CPUS",
        help_heading = "Browsers"
    )]
    pub docker_cpus: f64,
    /// /dev/shm size of each browser container.
    #[arg(long, default_value = "256m", value_parser = parse_size, value_name = "SIZE", help_heading = "Browsers")]
    pub docker_shm: i64,
    /// A DevTools endpoint for --backend cdp (repeatable): http://host:port of a Chromium with
    /// --remote-debugging-port, or a ws:// URL (browserless, Selenium Grid); append
    /// `,sessions=N` to limit its concurrent sessions [default: 4].
    #[arg(long = "cdp-endpoint", value_name = "URL[,sessions=N]", value_parser = |s: &str| s.parse::<CdpEndpoint>(), help_heading = "Browsers")]
    pub cdp_endpoints: Vec<CdpEndpoint>,
    /// Replace a worker's browser with a fresh one after this many scenario attempts (0:
    /// never), bounding what a long-lived browser accumulates. Remote (cdp) sessions end with
    /// each scenario anyway.
    #[arg(long, env = "GATE_RECYCLE_AFTER", default_value_t = gate_runner::DEFAULT_RECYCLE_AFTER, value_name = "N", help_heading = "Browsers")]
    pub recycle_after: u32,
}

impl BackendArgs {
    /// The browser options for a run against `base_url`. `executable` is only looked for (and
    /// required) for the local backend.
    pub fn browser_options(
        &self,
        base_url: &str,
        executable: impl FnOnce() -> Result<PathBuf, u8>,
    ) -> Result<BrowserOptions, u8> {
        let backend = match self.backend {
            BackendKind::Local => Backend::Local,
            BackendKind::Docker => {
                let mut docker = DockerOptions::new(self.docker_image.clone());
                docker.memory = self.docker_memory;
                docker.cpus = self.docker_cpus;
                docker.shm_size = self.docker_shm;
                docker.network = match &self.docker_network {
                    Some(name) => DockerNetwork::Named(name.clone()),
                    None => DockerNetwork::HostGateway {
                        loopback: loopback_targets(base_url, &self.docker_forward),
                    },
                };
                Backend::Docker(docker)
            }
            BackendKind::Cdp => Backend::Cdp(self.cdp_endpoints.clone()),
        };
        let executable = match backend {
            Backend::Local => executable()?,
            _ => PathBuf::new(),
        };
        let mut options = BrowserOptions::new(executable);
        options.backend = backend;
        options.isolation = self.isolation.into();
        options.recycle_after = self.recycle_after;
        Ok(options)
    }
}

/// Refuses a run whose scenarios ask for an isolation level the backend cannot give.
pub fn check_isolation(
    options: &BrowserOptions,
    suite: &Suite,
    selected: &[usize],
) -> Result<(), u8> {
    let levels = std::iter::once((None, options.isolation)).chain(
        selected
            .iter()
            .map(|&i| &suite.scenarios[i])
            .filter_map(|s| s.isolation.map(|l| (Some(s), l))),
    );
    for (scenario, level) in levels {
        if !options.backend.supports(level) {
            let err = BackendError::unsupported(&options.backend, level);
            match scenario {
                Some(s) => eprintln!(
                    "error: {}: scenario `{}` is tagged `isolation:{level}`, but {err}",
                    s.path, s.name
                ),
                None => eprintln!("error: --isolation: {err}"),
            }
            return Err(exit::INVALID);
        }
    }
    Ok(())
}

/// The host loopback services browser containers must reach: the base URL's, when it is on
/// loopback, and the extra ports.
fn loopback_targets(base_url: &str, extra: &[u16]) -> Vec<SocketAddr> {
    let mut targets = Vec::new();
    if let Ok(url) = reqwest::Url::parse(base_url) {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain("localhost")) => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            _ => None,
        };
        if let (Some(ip), Some(port)) = (ip, url.port_or_known_default()) {
            targets.push(SocketAddr::new(ip, port));
        }
    }
    for port in extra {
        let target = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), *port);
        if !targets.iter().any(|t| t.port() == *port) {
            targets.push(target);
        }
    }
    targets
}

/// `512m`, `1g`, `1.5g`, `65536k` or plain bytes.
fn parse_size(s: &str) -> Result<i64, String> {
    let lower = s.trim().to_ascii_lowercase();
    let lower = lower.trim_end_matches('b').trim_end_matches('i');
    let (number, unit) = match lower.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((at, _)) => lower.split_at(at),
        None => (lower, ""),
    };
    let factor: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("`{s}`: use a size such as 512m or 1g")),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("`{s}`: use a size such as 512m or 1g"))?;
    if n <= 0.0 {
        return Err(format!("`{s}`: the size must be positive"));
    }
    Ok((n * factor) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("256m"), Ok(256 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("1t").is_err());
    }

    #[test]
    fn loopback_base_urls_are_forwarded() {
        let t = loopback_targets("http://127.0.0.1:8080/shop", &[9000, 8080]);
        assert_eq!(
            t,
            vec![
                "127.0.0.1:8080".parse().unwrap(),
                "127.0.0.1:9000".parse().unwrap()
            ]
        );
        assert_eq!(
            loopback_targets("http://localhost/", &[]),
            vec!["127.0.0.1:80".parse().unwrap()]
        );
        assert!(loopback_targets("http://shop:8080/", &[]).is_empty());
    }
}
