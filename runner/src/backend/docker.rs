//! The Docker backend: each browser runs in its own container of the gate browser image
//! (`containers/`), created through the engine's API (bollard).
//!
//! Containers are locked down: no privileges, every capability dropped, a read-only root
//! filesystem with tmpfs for `/tmp` and the home directory, memory, CPU and process limits, and
//! the DevTools port published on 127.0.0.1 only, on a port the engine picks. Labels name the
//! pool that owns each container, so the next pool start removes what a killed run left.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bollard::Docker;
use bollard::models::{
    ContainerCreateBody, ContainerStateStatusEnum, HealthStatusEnum, HostConfig, PortBinding,
};
use bollard::query_parameters::{
    CreateContainerOptions, ListContainersOptions, LogsOptions, RemoveContainerOptions,
};
use futures::StreamExt;
use tokio::sync::Mutex;

use super::connect::Connection;
use super::forward::Forwarders;

/// The port the image's DevTools endpoint listens on inside the container.
const DEVTOOLS_PORT: &str = "9222/tcp";
/// The name containers use for the Docker host (the bridge gateway).
const HOST_ALIAS: &str = "host.docker.internal";
/// Label keys on every container gate creates.
pub const LABEL_POOL: &str = "dev.gate.pool";
pub const LABEL_HOST: &str = "dev.gate.host";
pub const LABEL_PID: &str = "dev.gate.pid";
pub const LABEL_RUN: &str = "dev.gate.run";

/// How to run browsers in Docker.
#[derive(Debug, Clone)]
pub struct DockerOptions {
    /// The browser image, built by `containers/build-image`.
    pub image: String,
    /// How containers reach the system under test.
    pub network: DockerNetwork,
    /// Memory limit per container, bytes.
    pub memory: i64,
    /// CPU limit per container, in CPUs.
    pub cpus: f64,
    /// `/dev/shm` size per container, bytes (Chromium needs more than Docker's 64 MB default).
    pub shm_size: i64,
    /// Process limit per container.
    pub pids: i64,
    /// Extra labels (the run id for `gate run`).
    pub labels: Vec<(String, String)>,
}

/// How containers reach the system under test.
#[derive(Debug, Clone, PartialEq)]
pub enum DockerNetwork {
    /// Docker's default bridge. The listed host loopback ports are forwarded into each container
    /// so `127.0.0.1:<port>` there reaches the host's service; the host is also
    /// `host.docker.internal` (host-gateway).
    HostGateway { loopback: Vec<SocketAddr> },
    /// A named Docker network: the system under test is another container on it.
    Named(String),
}

impl DockerOptions {
    pub fn new(image: impl Into<String>) -> DockerOptions {
        DockerOptions {
            image: image.into(),
            network: DockerNetwork::HostGateway {
                loopback: Vec::new(),
            },
            memory: 1 << 30,
            cpus: 1.0,
            shm_size: 256 << 20,
            pids: 512,
            labels: Vec::new(),
        }
    }
}

/// The image to use when none is named: what `containers/build-image` tags last.
pub const DEFAULT_IMAGE: &str = "gate-browser:latest";

/// Why the Docker backend cannot start at all. Each says what to run.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error(
        "the Docker engine does not answer at {host}: {message}\n  hint: start it (`systemctl start docker`), or set DOCKER_HOST to a running engine"
    )]
    Engine { host: String, message: String },
    #[error(
        "the browser image `{image}` is not there: {message}\n  hint: build it with `containers/build-image` (no registry needed), or name another with --docker-image"
    )]
    Image { image: String, message: String },
    #[error(
        "Docker network `{network}`: {message}\n  hint: create it with `docker network create {network}`, or leave out --docker-network"
    )]
    Network { network: String, message: String },
    #[error(
        "cannot find where containers reach the host: {message}\n  hint: pass --docker-network with a network the system under test is on"
    )]
    Bridge { message: String },
    #[error("cannot start the loopback forwarders on {ip}: {source}")]
    Forward { ip: IpAddr, source: std::io::Error },
}

/// A connection to the engine, the pool's identity and its forwarders.
pub(crate) struct Engine {
    docker: Docker,
    options: DockerOptions,
    pool: String,
    host: String,
    forwarders: Forwarders,
    http: reqwest::Client,
    launch_timeout: Duration,
    /// Containers of this pool that exist, for the final clean-up.
    live: Mutex<HashSet<String>>,
}

/// A browser in a container of this pool.
pub(crate) struct ContainerBrowser {
    pub id: String,
    pub name: String,
    endpoint: String,
    pub conn: Connection,
}

impl Engine {
    /// Connects to the engine (`DOCKER_HOST` or the local socket), checks the image and network,
    /// removes containers left by pools whose process is gone, and starts forwarders.
    pub async fn open(
        options: DockerOptions,
        launch_timeout: Duration,
        http: reqwest::Client,
    ) -> Result<Engine, DockerError> {
        let host_desc =
            std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
        let engine_err = |message: String| DockerError::Engine {
            host: host_desc.clone(),
            message,
        };
        let docker = Docker::connect_with_defaults().map_err(|e| engine_err(e.to_string()))?;
        tokio::time::timeout(Duration::from_secs(10), docker.ping())
            .await
            .map_err(|_| engine_err("no answer within 10s".into()))?
            .map_err(|e| engine_err(e.to_string()))?;
        docker
            .inspect_image(&options.image)
            .await
            .map_err(|e| DockerError::Image {
                image: options.image.clone(),
                message: short(&e),
            })?;
        let host = hostname();
        let pool = format!(
            "{host}-{}-{}",
            std::process::id(),
            process_start(std::process::id()).unwrap_or(0)
        );
        remove_orphans(&docker, &host).await;

        let forwarders = match &options.network {
            DockerNetwork::Named(network) => {
                docker
                    .inspect_network(network, None)
                    .await
                    .map_err(|e| DockerError::Network {
                        network: network.clone(),
                        message: short(&e),
                    })?;
                Forwarders::default()
            }
            DockerNetwork::HostGateway { loopback } if loopback.is_empty() => Forwarders::default(),
            DockerNetwork::HostGateway { loopback } => {
                let ip = bridge_gateway(&docker)
                    .await
                    .map_err(|message| DockerError::Bridge { message })?;
                Forwarders::start(ip, loopback)
                    .await
                    .map_err(|source| DockerError::Forward { ip, source })?
            }
        };
        Ok(Engine {
            docker,
            options,
            pool,
            host,
            forwarders,
            http,
            launch_timeout,
            live: Mutex::new(HashSet::new()),
        })
    }

    /// Creates and starts a container, waits until its DevTools endpoint answers, connects.
    pub async fn launch(&self, worker: &str) -> Result<ContainerBrowser, String> {
        let name = format!("gate-{}-{worker}", self.pool);
        let o = &self.options;
        let mut labels: HashMap<String, String> = o.labels.iter().cloned().collect();
        labels.insert(LABEL_POOL.into(), self.pool.clone());
        labels.insert(LABEL_HOST.into(), self.host.clone());
        labels.insert(LABEL_PID.into(), std::process::id().to_string());
        let mut env = Vec::new();
        if !self.forwarders.rules.is_empty() {
            env.push(format!("GATE_FORWARD={}", self.forwarders.env(HOST_ALIAS)));
        }
        let tmpfs = HashMap::from([
            ("/tmp".to_string(), "rw,nosuid,nodev,size=512m".to_string()),
            (
                "/home/browser".to_string(),
                "rw,nosuid,nodev,size=64m,uid=1000,gid=1000".to_string(),
            ),
        ]);
        let (network_mode, extra_hosts) = match &o.network {
            DockerNetwork::Named(n) => (Some(n.clone()), None),
            DockerNetwork::HostGateway { .. } => {
                (None, Some(vec![format!("{HOST_ALIAS}:host-gateway")]))
            }
        };
        let body = ContainerCreateBody {
            image: Some(o.image.clone()),
            labels: Some(labels),
            env: Some(env),
            exposed_ports: Some(vec![DEVTOOLS_PORT.to_string()]),
            host_config: Some(HostConfig {
                privileged: Some(false),
                cap_drop: Some(vec!["ALL".into()]),
                security_opt: Some(vec!["no-new-privileges".into()]),
                readonly_rootfs: Some(true),
                tmpfs: Some(tmpfs),
                memory: Some(o.memory),
                // No swap beyond the memory limit.
                memory_swap: Some(o.memory),
                nano_cpus: Some((o.cpus * 1e9) as i64),
                shm_size: Some(o.shm_size),
                pids_limit: Some(o.pids),
                port_bindings: Some(HashMap::from([(
                    DEVTOOLS_PORT.to_string(),
                    Some(vec![PortBinding {
                        host_ip: Some("127.0.0.1".into()),
                        host_port: Some(String::new()),
                    }]),
                )])),
                network_mode,
                extra_hosts,
                ..HostConfig::default()
            }),
            ..ContainerCreateBody::default()
        };
        let created = self
            .docker
            .create_container(
                Some(CreateContainerOptions {
                    name: Some(name.clone()),
                    ..CreateContainerOptions::default()
                }),
                body,
            )
            .await
            .map_err(|e| format!("cannot create container {name}: {}", short(&e)))?;
        let id = created.id;
        self.live.lock().await.insert(id.clone());
        match self.start_and_connect(&id, &name).await {
            Ok((endpoint, conn)) => Ok(ContainerBrowser {
                id,
                name,
                endpoint,
                conn,
            }),
            Err(err) => {
                self.remove(&id).await;
                Err(err)
            }
        }
    }

    async fn start_and_connect(
        &self,
        id: &str,
        name: &str,
    ) -> Result<(String, Connection), String> {
        self.docker
            .start_container(id, None)
            .await
            .map_err(|e| format!("cannot start container {name}: {}", short(&e)))?;
        let inspect = self
            .docker
            .inspect_container(id, None)
            .await
            .map_err(|e| format!("container {name}: {}", short(&e)))?;
        let port = inspect
            .network_settings
            .and_then(|n| n.ports)
            .and_then(|p| p.get(DEVTOOLS_PORT).cloned().flatten())
            .and_then(|b| b.into_iter().find_map(|b| b.host_port))
            .ok_or_else(|| format!("container {name}: the DevTools port was not published"))?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let conn = self.wait_for_browser(id, name, &endpoint).await?;
        Ok((endpoint, conn))
    }

    /// Connects once the container's browser answers; fails early with the container's own
    /// account when it exits or its healthcheck fails.
    async fn wait_for_browser(
        &self,
        id: &str,
        name: &str,
        endpoint: &str,
    ) -> Result<Connection, String> {
        let image = &self.options.image;
        let connected = Connection::open_when_ready(endpoint, &self.http, self.launch_timeout, || async {
            let state = self
                .docker
                .inspect_container(id, None)
                .await
                .map_err(|e| format!("container {name}: {}", short(&e)))?
                .state
                .unwrap_or_default();
            let unhealthy = state.health.as_ref().and_then(|h| h.status) == Some(HealthStatusEnum::UNHEALTHY);
            let running = state.status == Some(ContainerStateStatusEnum::RUNNING);
            if running && !unhealthy {
                return Ok(());
            }
            let logs = self.logs(id, 5).await;
            let last = logs.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no output");
            Err(if unhealthy {
                format!("the image `{image}` failed its healthcheck (container {name}): {last}; rebuild it with `containers/build-image`")
            } else {
                format!(
                    "container {name} of image `{image}` exited (code {}) before its browser answered: {last}; rebuild it with `containers/build-image`",
                    state.exit_code.unwrap_or_default()
                )
            })
        })
        .await;
        match connected {
            Err(e) if e.starts_with("no DevTools") => {
                let logs = self.logs(id, 5).await;
                let last = logs
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("no output");
                Err(format!(
                    "container {name}: {e}; its last output: {last}; check the image `{image}` (rebuild it with `containers/build-image`)"
                ))
            }
            other => other,
        }
    }

    /// A fresh browser in the same container: closes the current one (the image's entry point
    /// starts a new one with a new profile) and connects to its successor.
    pub async fn restart_browser(&self, old: ContainerBrowser) -> Result<ContainerBrowser, String> {
        let id = old.id.clone();
        let restarted = self.restart_in_place(old).await;
        if restarted.is_err() {
            // Whatever state it is in, the container is not reused.
            self.remove(&id).await;
        }
        restarted
    }

    async fn restart_in_place(&self, old: ContainerBrowser) -> Result<ContainerBrowser, String> {
        let ContainerBrowser {
            id,
            name,
            endpoint,
            conn,
        } = old;
        let before = conn.ws_url.clone();
        conn.close_browser().await;
        let started = std::time::Instant::now();
        loop {
            let conn = self.wait_for_browser(&id, &name, &endpoint).await?;
            if conn.ws_url != before {
                tracing::debug!(container = %name, "a fresh browser in the same container");
                return Ok(ContainerBrowser {
                    id,
                    name,
                    endpoint,
                    conn,
                });
            }
            // Still the old browser on its way out.
            conn.disconnect().await;
            if started.elapsed() > self.launch_timeout {
                return Err(format!("container {name}: the browser did not restart"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The last `tail` lines of a container's output.
    pub async fn logs(&self, id: &str, tail: usize) -> String {
        let mut stream = self.docker.logs(
            id,
            Some(LogsOptions {
                stdout: true,
                stderr: true,
                tail: tail.to_string(),
                ..LogsOptions::default()
            }),
        );
        let mut out = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            out.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        }
        out
    }

    /// Removes a container (killing it if it runs).
    pub async fn remove(&self, id: &str) {
        if let Err(err) = self
            .docker
            .remove_container(
                id,
                Some(RemoveContainerOptions {
                    force: true,
                    v: true,
                    ..RemoveContainerOptions::default()
                }),
            )
            .await
        {
            tracing::debug!("removing container {id}: {}", short(&err));
        }
        self.live.lock().await.remove(id);
    }

    /// Removes every container this pool still has.
    pub async fn shutdown(&self) {
        let ids: Vec<String> = self.live.lock().await.iter().cloned().collect();
        for id in ids {
            self.remove(&id).await;
        }
    }
}

impl ContainerBrowser {
    pub async fn close(self, engine: &Engine) {
        self.conn.disconnect().await;
        engine.remove(&self.id).await;
    }
}

/// Removes containers labelled by a gate pool on this host whose process no longer runs.
async fn remove_orphans(docker: &Docker, host: &str) {
    let filters = HashMap::from([(
        "label".to_string(),
        vec![LABEL_POOL.to_string(), format!("{LABEL_HOST}={host}")],
    )]);
    let Ok(found) = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters),
            ..ListContainersOptions::default()
        }))
        .await
    else {
        return;
    };
    for c in found {
        let labels = c.labels.unwrap_or_default();
        let (Some(pool), Some(id)) = (labels.get(LABEL_POOL), c.id) else {
            continue;
        };
        if pool_is_live(pool) {
            continue;
        }
        tracing::info!(container = %id, pool = %pool, "removing a browser container left by a killed gate process");
        let _ = docker
            .remove_container(
                &id,
                Some(RemoveContainerOptions {
                    force: true,
                    v: true,
                    ..RemoveContainerOptions::default()
                }),
            )
            .await;
    }
}

/// A pool id is `<host>-<pid>-<start time>`; it is live while that process (not a later one
/// with the same pid) runs.
fn pool_is_live(pool: &str) -> bool {
    let mut parts = pool.rsplitn(3, '-');
    let (Some(start), Some(pid)) = (parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(start), Ok(pid)) = (start.parse::<u64>(), pid.parse::<u32>()) else {
        return false;
    };
    process_start(pid) == Some(start)
}

/// The start time of a process (clock ticks since boot, field 22 of `/proc/<pid>/stat`).
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last `)`.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(19)?.parse().ok()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The gateway address of Docker's default bridge: where containers reach the host.
async fn bridge_gateway(docker: &Docker) -> Result<IpAddr, String> {
    let network = docker
        .inspect_network("bridge", None)
        .await
        .map_err(|e| short(&e))?;
    network
        .ipam
        .and_then(|i| i.config)
        .unwrap_or_default()
        .into_iter()
        .find_map(|c| {
            // The default bridge often names only its subnet; its gateway is the first address.
            c.gateway
                .and_then(|g| g.parse::<IpAddr>().ok())
                .or_else(|| {
                    let subnet = c.subnet?;
                    let base: std::net::Ipv4Addr = subnet.split('/').next()?.parse().ok()?;
                    Some(IpAddr::V4(std::net::Ipv4Addr::from(u32::from(base) + 1)))
                })
        })
        .ok_or_else(|| "the bridge network has no IPv4 gateway or subnet".into())
}

/// The engine's message without bollard's wrapping.
fn short(err: &bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_of_this_process_is_live_and_of_a_gone_one_is_not() {
        let me = std::process::id();
        let start = process_start(me).unwrap();
        assert!(pool_is_live(&format!("my-host-{me}-{start}")));
        assert!(
            !pool_is_live(&format!("my-host-{me}-{}", start + 1)),
            "a reused pid"
        );
        assert!(!pool_is_live("my-host-999999999-1"));
        assert!(!pool_is_live("garbage"));
    }
}
