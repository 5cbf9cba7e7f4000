//! Where a worker's browser comes from: a local Chromium process, a container on a Docker
//! engine, or a session on a remote DevTools endpoint. The pool opens one [`Source`] for its
//! life; workers take [`Handle`]s from it and give them back.
//!
//! Isolation levels (weakest first) decide what a scenario may share with the one before it on
//! the same worker: `context` keeps the browser and gives each attempt a fresh browser context,
//! `browser` starts a fresh browser, `container` a fresh container.

pub mod cdp;
mod connect;
pub mod docker;
mod forward;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::Browser;
pub use gate_scenarios::Isolation;

use crate::browser::{BrowserProcess, profile_root};
use crate::config::BrowserOptions;
use crate::page::ScenarioPage;
use crate::session::StorageState;
use cdp::{CdpEndpoint, Endpoints, RemoteBrowser};
use docker::{ContainerBrowser, DockerError, DockerOptions, Engine};

/// The kind of browser a pool runs.
#[derive(Debug, Clone, Default)]
pub enum Backend {
    /// Chromium processes on this machine.
    #[default]
    Local,
    /// One container per browser on a Docker engine.
    Docker(DockerOptions),
    /// Sessions on browsers reached through DevTools endpoints.
    Cdp(Vec<CdpEndpoint>),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Local => "local",
            Backend::Docker(_) => "docker",
            Backend::Cdp(_) => "cdp",
        }
    }

    /// The isolation levels this backend can give.
    pub fn supports(&self, level: Isolation) -> bool {
        match self {
            Backend::Local => level <= Isolation::Browser,
            Backend::Docker(_) => true,
            // Browsers behind an endpoint are shared with other clients: only contexts are ours.
            Backend::Cdp(_) => level == Isolation::Context,
        }
    }
}

/// Why a pool's backend cannot start.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error("--backend cdp needs at least one --cdp-endpoint")]
    NoEndpoints,
    #[error(
        "isolation `{level}` is not available with --backend {backend}\n  hint: {backend} supports {supported}"
    )]
    Isolation {
        level: Isolation,
        backend: &'static str,
        supported: String,
    },
}

impl BackendError {
    pub fn unsupported(backend: &Backend, level: Isolation) -> BackendError {
        BackendError::Isolation {
            level,
            backend: backend.name(),
            supported: Isolation::ALL
                .into_iter()
                .filter(|l| backend.supports(*l))
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A pool's supply of browsers.
pub(crate) enum Source {
    Local {
        options: BrowserOptions,
        profiles: PathBuf,
    },
    Docker(Engine),
    Cdp(Arc<Endpoints>),
}

/// A browser a worker holds.
pub(crate) struct Handle {
    inner: Inner,
    /// Attempts that have run in it: a stricter isolation level needs a new one after the
    /// first, and any level after [`BrowserOptions::recycle_after`].
    attempts: u32,
    /// Pages opened ahead and pages to close, handled while the next scenario runs (see
    /// [`Handle::housekeeping`]). Off for remote sessions, which end with each scenario.
    pages: std::sync::Mutex<Pages>,
    pipelined: bool,
    /// Open the next attempt's page ahead: only when the browser is kept for it.
    prewarm: bool,
}

#[derive(Default)]
struct Pages {
    /// A fresh context with its page at `about:blank`, never used.
    spare: Option<ScenarioPage>,
    /// Pages of finished attempts whose contexts are still to be disposed of.
    retiring: Vec<ScenarioPage>,
}

enum Inner {
    Local(BrowserProcess),
    Container(ContainerBrowser),
    Remote(RemoteBrowser),
}

impl Source {
    pub async fn open(options: &BrowserOptions) -> Result<Source, BackendError> {
        if !options.backend.supports(options.isolation) {
            return Err(BackendError::unsupported(
                &options.backend,
                options.isolation,
            ));
        }
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_default();
        Ok(match &options.backend {
            Backend::Local => Source::Local {
                options: options.clone(),
                profiles: profile_root(),
            },
            Backend::Docker(docker) => {
                Source::Docker(Engine::open(docker.clone(), options.launch_timeout, http).await?)
            }
            Backend::Cdp(endpoints) if endpoints.is_empty() => {
                return Err(BackendError::NoEndpoints);
            }
            Backend::Cdp(endpoints) => Source::Cdp(Arc::new(Endpoints::new(
                endpoints.clone(),
                http,
                options.launch_timeout.max(Duration::from_secs(5)),
            ))),
        })
    }

    /// Whether a worker keeps its browser between jobs. Sessions on remote endpoints are held
    /// only while a scenario runs, so an idle worker never blocks a busy one's slot.
    pub fn keeps_sessions(&self) -> bool {
        !matches!(self, Source::Cdp(_))
    }

    /// A new browser for worker `name`.
    pub async fn launch(&self, name: &str) -> Result<Handle, String> {
        let inner = match self {
            Source::Local { options, profiles } => Inner::Local(
                BrowserProcess::launch(options, profiles, name)
                    .await
                    .map_err(|e| e.to_string())?,
            ),
            Source::Docker(engine) => Inner::Container(engine.launch(name).await?),
            Source::Cdp(endpoints) => Inner::Remote(endpoints.connect().await?),
        };
        Ok(Handle::new(inner, self.keeps_sessions()))
    }

    /// A browser for an attempt at `level`: `current` if that level allows reusing it, else a
    /// fresh one (in the same container where the backend can).
    pub async fn renew(
        &self,
        current: Handle,
        level: Isolation,
        name: &str,
    ) -> Result<Handle, String> {
        if current.attempts == 0 || level == Isolation::Context {
            return Ok(current);
        }
        match (self, current.inner) {
            (Source::Docker(engine), Inner::Container(c)) if level == Isolation::Browser => Ok(
                Handle::new(Inner::Container(engine.restart_browser(c).await?), true),
            ),
            (_, inner) => {
                self.close(Handle::new(inner, false), false).await;
                self.launch(name).await
            }
        }
    }

    /// Ends a browser. `failed`: it was given up after an infrastructure error.
    pub async fn close(&self, handle: Handle, failed: bool) {
        match (self, handle.inner) {
            (_, Inner::Local(p)) => p.close().await,
            (Source::Docker(engine), Inner::Container(c)) => c.close(engine).await,
            (_, Inner::Container(c)) => c.conn.disconnect().await,
            (_, Inner::Remote(r)) => r.close(failed).await,
        }
    }

    /// What the browser's container printed, for the evidence of an attempt it failed.
    pub async fn logs(&self, handle: &Handle) -> Option<(String, String)> {
        match (self, &handle.inner) {
            (Source::Docker(engine), Inner::Container(c)) => {
                Some((c.name.clone(), engine.logs(&c.id, 2000).await))
            }
            _ => None,
        }
    }

    /// After the workers closed their browsers: removes whatever is left.
    pub async fn shutdown(self) {
        match self {
            Source::Local { profiles, .. } => {
                let _ = std::fs::remove_dir_all(&profiles);
            }
            Source::Docker(engine) => engine.shutdown().await,
            Source::Cdp(_) => {}
        }
    }
}

impl Handle {
    fn new(inner: Inner, pipelined: bool) -> Handle {
        Handle {
            inner,
            attempts: 0,
            pages: std::sync::Mutex::default(),
            pipelined,
            prewarm: false,
        }
    }

    /// Whether a page for the next attempt is worth opening ahead: the browser is kept for it
    /// only at `context` isolation.
    pub fn plan(&mut self, level: Isolation) {
        self.prewarm = self.pipelined && level == Isolation::Context;
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, Pages> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh context and page for an attempt, starting from `state`: the spare one when there
    /// is one, else a new one.
    pub async fn open_page(
        &self,
        state: Option<&StorageState>,
    ) -> chromiumoxide::Result<ScenarioPage> {
        let spare = self.pages().spare.take();
        match spare {
            Some(page) => {
                if let Some(state) = state {
                    if let Err(err) = page.restore(state).await {
                        page.close(self.browser()).await;
                        return Err(err);
                    }
                }
                Ok(page)
            }
            None => ScenarioPage::open(self.browser(), state).await,
        }
    }

    /// Hands back an attempt's page: closed now, or while the next attempt runs.
    pub async fn retire(&self, page: ScenarioPage) {
        if self.pipelined {
            self.pages().retiring.push(page);
        } else {
            page.close(self.browser()).await;
        }
    }

    /// Work that would otherwise sit between two scenarios, done while one runs: disposing of
    /// finished contexts and opening the next one. Errors are ignored (the next attempt opens
    /// its own page and reports them).
    pub async fn housekeeping(&self) {
        if !self.pipelined {
            return;
        }
        self.dispose_retired().await;
        if !self.prewarm || self.pages().spare.is_some() || !self.connected() {
            return;
        }
        if let Ok(page) = ScenarioPage::open(self.browser(), None).await {
            let extra = self.pages().spare.replace(page);
            if let Some(extra) = extra {
                extra.close(self.browser()).await;
            }
        }
    }

    /// Closes the contexts of finished attempts now. A worker with nothing queued does this
    /// rather than wait for its next job: a finished scenario's page must not go on running
    /// (polling the app, holding sockets) while the worker is idle.
    pub async fn dispose_retired(&self) {
        let retiring = std::mem::take(&mut self.pages().retiring);
        for page in retiring {
            page.close(self.browser()).await;
        }
    }

    /// False once the DevTools connection ended.
    pub fn connected(&self) -> bool {
        match &self.inner {
            Inner::Local(p) => p.connected(),
            Inner::Container(c) => c.conn.is_alive(),
            Inner::Remote(r) => r.conn.is_alive(),
        }
    }

    pub fn browser(&self) -> &Browser {
        match &self.inner {
            Inner::Local(p) => p.browser(),
            Inner::Container(c) => &c.conn.browser,
            Inner::Remote(r) => &r.conn.browser,
        }
    }

    /// False once the browser exited or its connection ended.
    pub fn is_alive(&mut self) -> bool {
        match &mut self.inner {
            Inner::Local(p) => p.is_alive(),
            Inner::Container(c) => c.conn.is_alive(),
            Inner::Remote(r) => r.conn.is_alive(),
        }
    }

    pub fn mark_used(&mut self) {
        self.attempts = self.attempts.saturating_add(1);
    }

    /// Attempts that have run in this browser.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}
