//! The defaults: the one place they are written. `init_template.toml` shows the same values,
//! and a test checks that it parses to them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ServerConfig;
use super::layer::{Layer, Located};
use super::paths;

pub(super) const LISTEN: &str = "127.0.0.1:8470";
/// Next to the configuration file.
pub(super) const DATABASE_URL: &str = "sqlite://gate.db";
/// Next to the configuration file.
pub(super) const SCENARIOS: &str = "scenarios";
pub(super) const STEP_TIMEOUT: Duration = Duration::from_secs(5);
pub(super) const SCENARIO_TIMEOUT: Duration = Duration::from_secs(120);
pub(super) const LEASE: Duration = Duration::from_secs(60);
pub(super) const MAX_LEASES: u32 = 3;
pub(super) const MAX_BODY: usize = 1024 * 1024;
pub(super) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// `[publish] api-url`.
pub(super) const GITHUB_API: &str = "https://api.github.com";
/// `[publish] context`.
pub(super) const STATUS_CONTEXT: &str = "gate/scenarios";

/// `[digest] time-zone`.
pub(super) const DIGEST_TIME_ZONE: &str = "UTC";
/// `timeout` of `[digest.email]` and `[digest.slack]`.
pub(super) const DIGEST_TIMEOUT: Duration = Duration::from_secs(30);

/// `[parity] path`: the page whose headers and cookies are compared.
pub(super) const PARITY_PATH: &str = "/";
/// `[parity] timeout`: each connection, handshake and request.
pub(super) const PARITY_TIMEOUT: Duration = Duration::from_secs(10);
/// `[parity] every`: how often the server compares the environments on its own.
pub(super) const PARITY_EVERY: Duration = Duration::from_secs(60 * 60);
/// `timeout` of a `[[parity.probes]]` entry.
pub(super) const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for super::ParityConfig {
    /// No URLs, `/`, no version document, nothing ignored, no probe; probes run in the
    /// working directory.
    fn default() -> super::ParityConfig {
        super::ParityConfig {
            staging: None,
            production: None,
            path: PARITY_PATH.to_string(),
            version_path: None,
            ignore: Vec::new(),
            probes: Vec::new(),
            ca_file: None,
            insecure_skip_verify: false,
            timeout: PARITY_TIMEOUT,
            hold_deploys: false,
            every: PARITY_EVERY,
            dir: PathBuf::from("."),
        }
    }
}

/// One browser per core.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Links must be something a browser can open, so an address that listens on every interface
/// becomes the loopback one.
fn public_url(listen: &str) -> String {
    let host_port = match listen.rsplit_once(':') {
        Some(("0.0.0.0", port)) => format!("127.0.0.1:{port}"),
        Some(("[::]", port)) => format!("[::1]:{port}"),
        _ => listen.to_string(),
    };
    format!("http://{host_port}")
}

/// The configuration from the merged layers: defaults where they say nothing; paths written
/// in the file (and the default ones) made relative to `dir`, the file's directory.
pub(super) fn resolve(layer: Layer, dir: &Path) -> ServerConfig {
    let listen = layer.listen.unwrap_or_else(|| LISTEN.to_string());
    let database_url = layer.database_url.unwrap_or_else(|| Located {
        value: DATABASE_URL.to_string(),
        in_file: true,
    });
    let scenarios = layer.scenarios.unwrap_or_else(|| Located {
        value: vec![PathBuf::from(SCENARIOS)],
        in_file: true,
    });
    ServerConfig {
        public_url: layer.public_url.unwrap_or_else(|| public_url(&listen)),
        listen,
        database_url: if database_url.in_file {
            paths::sqlite_beside(dir, &database_url.value)
        } else {
            database_url.value
        },
        scenarios: if scenarios.in_file {
            scenarios.value.iter().map(|p| dir.join(p)).collect()
        } else {
            scenarios.value
        },
        default_base_url: layer.default_base_url,
        workers: layer.workers.unwrap_or_else(workers),
        browser: layer.browser,
        browser_args: layer.browser_args.unwrap_or_default(),
        recycle_after: layer
            .recycle_after
            .unwrap_or(gate_runner::DEFAULT_RECYCLE_AFTER),
        step_timeout: layer.step_timeout.unwrap_or(STEP_TIMEOUT),
        scenario_timeout: layer.scenario_timeout.unwrap_or(SCENARIO_TIMEOUT),
        lease: layer.lease.unwrap_or(LEASE),
        max_leases: layer.max_leases.unwrap_or(MAX_LEASES),
        tokens: layer.tokens.unwrap_or_default(),
        webhook: layer.webhook,
        publish: layer.publish,
        digest: layer.digest,
        release: layer.release,
        parity: layer.parity.map(|mut p| {
            p.ca_file = p.ca_file.map(|f| dir.join(f));
            p.dir = dir.to_path_buf();
            p
        }),
        digest_now: layer.digest_now,
        secrets: Default::default(),
        services: layer
            .services
            .unwrap_or_default()
            .into_iter()
            .map(|mut s| {
                s.dir = dir.to_path_buf();
                s
            })
            .collect(),
        max_body: layer.max_body.unwrap_or(MAX_BODY),
        request_timeout: layer.request_timeout.unwrap_or(REQUEST_TIMEOUT),
        require_committed_config: layer.require_committed_config.unwrap_or(false),
        provenance: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_follows_listen_with_a_reachable_host() {
        assert_eq!(public_url("127.0.0.1:8470"), "http://127.0.0.1:8470");
        assert_eq!(public_url("0.0.0.0:80"), "http://127.0.0.1:80");
        assert_eq!(public_url("[::]:8470"), "http://[::1]:8470");
        assert_eq!(
            public_url("gate.internal:8470"),
            "http://gate.internal:8470"
        );
    }

    #[test]
    fn file_paths_and_defaults_are_relative_to_the_file_environment_paths_are_not() {
        let dir = Path::new("/etc/gate");
        let config = resolve(Layer::default(), dir);
        assert_eq!(config.database_url, "sqlite:///etc/gate/gate.db");
        assert_eq!(config.scenarios, [PathBuf::from("/etc/gate/scenarios")]);
        let from_env = Layer {
            database_url: Some(Located {
                value: "sqlite://x.db".into(),
                in_file: false,
            }),
            scenarios: Some(Located {
                value: vec!["here".into()],
                in_file: false,
            }),
            ..Layer::default()
        };
        let config = resolve(from_env, dir);
        assert_eq!(config.database_url, "sqlite://x.db");
        assert_eq!(config.scenarios, [PathBuf::from("here")]);
    }
}
