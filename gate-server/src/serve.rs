//! `gate serve`: connects the store, builds the service and its event stream, starts the
//! embedded browser pool, the commit-status feed and publisher, the digest scheduler and its
//! delivery loop, staging parity's schedule, serves the HTTP API and pages, and shuts all of it down in order on
//! SIGTERM.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context;
use gate_runner::BrowserOptions;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::executor::{self, Hooks, LocalSource, RunnerSettings};
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::Store;

/// How long running jobs get to finish or be handed back after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(30);

/// Binds `config.listen`, then [`serve_on`].
pub async fn serve(config: ServerConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    serve_on(listener, config, shutdown).await
}

/// Serves on the caller's `listener` until `shutdown`, then stops everything in order.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                crate::store::redact_url(&config.database_url)
            )
        })?
        .with_config_commit(config.provenance.as_ref().map(|p| p.stamp()));
    let address = listener.local_addr()?;
    // Listening on port 0 (tests, ad-hoc runs): links must name the port actually bound.
    let mut config = config;
    if config.public_url == format!("http://{}", config.listen) && config.listen.ends_with(":0") {
        config.public_url = format!("http://{address}");
    }
    let state = AppState::new(config.clone(), store.clone(), shutdown.clone())
        .context("invalid tokens in the configuration")?;
    let service = state.service.clone();
    if let Err(err) = service.audit_configuration().await {
        tracing::warn!("cannot record the configuration in the audit log: {err}");
    }

    let mut tasks = tokio::task::JoinSet::new();
    if config.workers > 0 {
        let executable = config
            .browser
            .clone()
            .or_else(gate_runner::browser::find_browser)
            .context("no Chromium found for the embedded pool: install it with `apt-get install chromium`, set `browser` in gate.toml, or set workers = 0 and run agents")?;
        let mut browser = BrowserOptions::new(executable);
        browser.extra_args = config.browser_args.clone();
        browser.recycle_after = config.recycle_after;
        let settings = RunnerSettings {
            browser,
            workers: config.workers,
            step_timeout: config.step_timeout,
            scenario_timeout: config.scenario_timeout,
            artifacts_root: std::env::temp_dir()
                .join(format!("gate-server-{}", std::process::id())),
            secrets: config.secrets.clone(),
        };
        let source = Arc::new(LocalSource::new(service.clone()));
        let hooks = Arc::new(MetricsHooks(state.metrics.clone()));
        let stop = shutdown.clone();
        tasks.spawn(async move {
            let root = settings.artifacts_root.clone();
            if let Err(err) = executor::run(source, settings, hooks, stop).await {
                tracing::error!("the embedded browser pool cannot start: {err}");
            }
            let _ = std::fs::remove_dir_all(root);
        });
        state.pool_ready.store(true, Ordering::SeqCst);
    }
    // Deployments in progress are driven by this server's controller (or another's).
    tasks.spawn(crate::rollout::controller::run(
        service.clone(),
        shutdown.clone(),
    ));
    // Staging compared with production on a schedule; the last result is kept for the review.
    tasks.spawn(crate::parity::schedule::run(
        service.clone(),
        shutdown.clone(),
    ));
    // Verdict changes become queued statuses; the publisher posts what is queued.
    let outbox = config
        .publish
        .as_ref()
        .map(|_| Arc::new(tokio::sync::Notify::new()));
    tasks.spawn(crate::statuses::run(
        service.clone(),
        outbox.clone(),
        shutdown.clone(),
    ));
    if let (Some(publish), Some(notify)) = (&config.publish, outbox) {
        let publisher = crate::publish::Publisher::new(publish)
            .context("cannot set up the commit-status publisher")?;
        tasks.spawn(crate::publish::run_outbox(
            publisher,
            store.clone(),
            notify,
            Clock::real(),
            shutdown.clone(),
        ));
    }

    // The weekly digest: queued when due (and the latest missed one now), sent from the
    // outbox with retries.
    if let Some(digest) = &config.digest {
        let mut channels = crate::digest::deliver::Channels::new();
        if let Some(email) = &digest.email {
            let channel = crate::digest::email::EmailChannel::new(email)
                .context("cannot set up the digest's e-mail")?;
            channels.insert("email", Box::new(channel));
        }
        if let Some(slack) = &digest.slack {
            let channel = crate::digest::slack::SlackChannel::new(slack)
                .context("cannot set up the digest's Slack webhook")?;
            channels.insert("slack", Box::new(channel));
        }
        if let Err(err) = crate::digest::scheduler::queue_latest(&service).await {
            tracing::warn!("cannot queue the weekly digest: {err}");
        }
        tasks.spawn(crate::digest::scheduler::run(
            service.clone(),
            shutdown.clone(),
        ));
        tasks.spawn(crate::digest::deliver::run(
            service.clone(),
            channels,
            state.metrics.clone(),
            Clock::real(),
            shutdown.clone(),
        ));
    }

    // Tests and scripts read this line to learn the port.
    println!("gate server listening on http://{address}");
    tracing::info!(%address, workers = config.workers, "gate server started");
    let app = crate::app::app(state.clone());
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown.clone().cancelled_owned())
        .await
        .context("the HTTP server failed")?;

    // The HTTP side has drained; now the runners hand back or finish their jobs.
    shutdown.cancel();
    let drained = tokio::time::timeout(DRAIN, async {
        while let Some(done) = tasks.join_next().await {
            if let Err(err) = done {
                tracing::error!("background task failed: {err}");
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!("background tasks did not stop within {DRAIN:?}; their leases will expire");
        tasks.abort_all();
    }
    Ok(())
}

struct MetricsHooks(Arc<Metrics>);

impl Hooks for MetricsHooks {
    fn capacity(&self, workers: usize) {
        self.0.pool_capacity(workers as i64);
    }
    fn busy(&self, delta: i64) {
        self.0.pool_busy_add(delta);
    }
}
