//! A running proxy: [`Proxy::start`] checks the config, restores the saved state, binds both
//! listeners and starts the tasks (traffic accept loop and its connections, admin server,
//! watchdog, tunnels), all in one tracker; [`Proxy::shutdown`] stops them and waits. Dropping
//! a `Proxy` without shutting it down cuts everything at once.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admin;
use crate::api::Routes;
use crate::config::ProxyConfig;
use crate::cookie;
use crate::forward::Forwarder;
use crate::listener::Listener;
use crate::routing::Routing;
use crate::state_file::{StateFile, StateFileError};
use crate::table::{InvalidRoutes, Table};
use crate::tunnel::Tunnels;
use crate::watchdog;

/// Why a proxy did not start. Messages read well after "cannot start the proxy: ".
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the admin token is empty")]
    EmptyToken,
    #[error("sticky cookie: {0}")]
    Cookie(String),
    #[error("no routing table: name at least one version")]
    NoRoutes,
    #[error("{origin} is not valid: {source}")]
    Routes {
        origin: TableOrigin,
        source: InvalidRoutes,
    },
    #[error(transparent)]
    StateFile(#[from] StateFileError),
    #[error("cannot write the state file {path}: {source}")]
    SaveState {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr} ({what}): {source}")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Where the starting table came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableOrigin {
    /// [`ProxyConfig::routes`] (the command line).
    Config,
    /// The state file, which wins over the config.
    StateFile(PathBuf),
}

impl std::fmt::Display for TableOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TableOrigin::Config => f.write_str("the routing table given"),
            TableOrigin::StateFile(path) => {
                write!(f, "the routing table saved in {}", path.display())
            }
        }
    }
}

/// How a shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Every in-flight request and tunnel finished within the drain time.
    Finished,
    /// The drain time ran out; what was left was cut.
    Cut,
}

#[derive(Debug)]
pub struct Proxy {
    proxy_addr: SocketAddr,
    admin_addr: SocketAddr,
    restored_from: Option<PathBuf>,
    routing: Arc<Routing>,
    tasks: TaskTracker,
    /// Stop accepting; finish what is in flight.
    stop: CancellationToken,
    /// Drop whatever is still open.
    cut: CancellationToken,
    drain: Duration,
}

impl Proxy {
    pub async fn start(config: ProxyConfig) -> Result<Proxy, StartError> {
        if config.admin_token.trim().is_empty() {
            return Err(StartError::EmptyToken);
        }
        cookie::check_name(&config.sticky_cookie).map_err(StartError::Cookie)?;
        let store = config.state_file.clone().map(StateFile::new);
        let saved = match &store {
            Some(s) => s.load()?.map(|saved| (saved, s.path().to_path_buf())),
            None => None,
        };
        let restored_from = saved.as_ref().map(|(_, path)| path.clone());
        let (routes, origin, fallbacks, watchdog) = match saved {
            Some((s, path)) => (
                s.routes,
                TableOrigin::StateFile(path),
                s.fallbacks,
                s.watchdog_timeout_ms.map(Duration::from_millis),
            ),
            None => (
                config.routes.clone().ok_or(StartError::NoRoutes)?,
                TableOrigin::Config,
                Vec::new(),
                None,
            ),
        };
        let table =
            Table::build(&routes, None).map_err(|source| StartError::Routes { origin, source })?;
        let routing = Arc::new(Routing::new(table, fallbacks, watchdog, store.clone()));

        let traffic = bind("traffic", config.listen).await?;
        let admin_listener = bind("admin", config.admin).await?;
        let proxy_addr = local_addr("traffic", &traffic, config.listen)?;
        let admin_addr = local_addr("admin", &admin_listener, config.admin)?;
        if let Some(store) = &store {
            routing
                .save_now()
                .await
                .map_err(|source| StartError::SaveState {
                    path: store.path().to_path_buf(),
                    source,
                })?;
        }

        let tasks = TaskTracker::new();
        let stop = CancellationToken::new();
        let cut = CancellationToken::new();
        let tunnels = Tunnels::new(tasks.clone(), cut.clone());
        let forwarder = Arc::new(Forwarder::new(routing.clone(), &config, tunnels));
        tasks.spawn(
            Listener {
                listener: traffic,
                forwarder,
                tasks: tasks.clone(),
                stop: stop.clone(),
                cut: cut.clone(),
                max_connections: config.max_connections,
                client_headers: config.timeouts.client_headers,
            }
            .run(),
        );
        let app = admin::app(routing.clone(), Arc::from(config.admin_token.as_str()));
        let (admin_stop, admin_cut) = (stop.clone(), cut.clone());
        tasks.spawn(async move {
            let serve = axum::serve(admin_listener, app)
                .with_graceful_shutdown(admin_stop.cancelled_owned())
                .into_future();
            tokio::select! {
                served = serve => {
                    if let Err(e) = served {
                        tracing::error!("admin server: {e}");
                    }
                }
                () = admin_cut.cancelled() => {}
            }
        });
        tasks.spawn(watchdog::run(routing.clone(), stop.clone()));
        Ok(Proxy {
            proxy_addr,
            admin_addr,
            restored_from,
            routing,
            tasks,
            stop,
            cut,
            drain: config.timeouts.drain,
        })
    }

    /// Where traffic is served (the bound port when the config said 0).
    pub fn proxy_addr(&self) -> SocketAddr {
        self.proxy_addr
    }

    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr
    }

    /// The state file the table was restored from, if it was.
    pub fn restored_from(&self) -> Option<&std::path::Path> {
        self.restored_from.as_deref()
    }

    /// The table in force now.
    pub fn routes(&self) -> Routes {
        self.routing.table().routes()
    }

    /// Stops accepting, lets in-flight requests and tunnels finish for the drain time, cuts
    /// the rest, and waits for every task.
    pub async fn shutdown(self) -> Drained {
        self.stop.cancel();
        self.tasks.close();
        let finished = tokio::time::timeout(self.drain, self.tasks.wait())
            .await
            .is_ok();
        if finished {
            return Drained::Finished;
        }
        self.cut.cancel();
        self.tasks.wait().await;
        Drained::Cut
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.cancel();
        self.cut.cancel();
    }
}

async fn bind(what: &'static str, addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { what, addr, source })
}

fn local_addr(
    what: &'static str,
    listener: &TcpListener,
    addr: SocketAddr,
) -> Result<SocketAddr, StartError> {
    listener
        .local_addr()
        .map_err(|source| StartError::Bind { what, addr, source })
}
