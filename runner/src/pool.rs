//! The browser pool: long-lived workers, each holding one browser from the pool's backend, that
//! run scenario jobs sent to them. A worker keeps its browser between jobs when the isolation
//! level allows (a fresh context per attempt is the minimum), and replaces it when it dies.
//! `gate run` uses one pool for one run; the server keeps one for its whole life and feeds it
//! jobs of many runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use gate_scenarios::Scenario;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::backend::{BackendError, Handle, Isolation, Source};
use crate::config::BrowserOptions;
use crate::context::RunContext;
use crate::error::StepError;
use crate::event::RunEvent;
use crate::result::ScenarioResult;
use crate::scenario_run::{is_provider, lost, not_run, run_scenario};

/// A running pool. [`BrowserPool::shutdown`] closes every browser.
pub struct BrowserPool {
    jobs: mpsc::Sender<Job>,
    workers: JoinSet<()>,
    size: usize,
    shared: Arc<PoolShared>,
}

struct Job {
    ctx: Arc<RunContext>,
    index: usize,
    cancel: CancellationToken,
    reply: oneshot::Sender<ScenarioResult>,
}

/// What all workers of a pool share.
struct PoolShared {
    source: Source,
    isolation: Isolation,
    recycle_after: u32,
    launches: AtomicU64,
}

impl BrowserPool {
    /// Opens the backend (for Docker: checks the engine and image, removes containers of killed
    /// pools) and starts `size` workers (numbered from 1). Browsers start on each worker's first
    /// job.
    pub async fn start(options: BrowserOptions, size: usize) -> Result<BrowserPool, BackendError> {
        let size = size.max(1);
        let shared = Arc::new(PoolShared {
            source: Source::open(&options).await?,
            isolation: options.isolation,
            recycle_after: options.recycle_after,
            launches: AtomicU64::new(0),
        });
        let (tx, rx) = mpsc::channel::<Job>(size);
        let rx = Arc::new(Mutex::new(rx));
        let mut workers = JoinSet::new();
        for id in 1..=size {
            let rx = rx.clone();
            let shared = shared.clone();
            workers.spawn(async move {
                let mut worker = Worker {
                    id,
                    browser: None,
                    shared,
                };
                while let Some(job) = worker.next_job(&rx).await {
                    let result = worker.run(&job).await;
                    let _ = job.reply.send(result);
                }
                worker.close().await;
            });
        }
        Ok(BrowserPool {
            jobs: tx,
            workers,
            size,
            shared,
        })
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs scenario `index` of the context's suite on the next free worker. `cancel` stops it
    /// (the result is then `cancelled`).
    pub async fn run(
        &self,
        ctx: Arc<RunContext>,
        index: usize,
        cancel: CancellationToken,
    ) -> ScenarioResult {
        let scenario = &ctx.suite.scenarios[index];
        let (fallback, lost) = (not_run(scenario), lost(scenario));
        let (reply, answer) = oneshot::channel();
        if self
            .jobs
            .send(Job {
                ctx,
                index,
                cancel,
                reply,
            })
            .await
            .is_err()
        {
            return fallback;
        }
        answer.await.unwrap_or(lost)
    }

    /// Lets running jobs finish, then closes every browser and removes what the backend left
    /// (profiles, containers).
    pub async fn shutdown(mut self) {
        drop(self.jobs);
        while let Some(done) = self.workers.join_next().await {
            if let Err(err) = done {
                tracing::error!("browser worker failed: {err}");
            }
        }
        match Arc::try_unwrap(self.shared) {
            Ok(shared) => shared.source.shutdown().await,
            Err(_) => tracing::error!("browser pool still shared at shutdown"),
        }
    }
}

/// The isolation level for an attempt of `scenario`: the run's, or the scenario's tag if that
/// is stronger.
pub(crate) fn isolation_for(run: Isolation, scenario: &Scenario) -> Isolation {
    scenario.isolation.map_or(run, |tagged| tagged.max(run))
}

/// One worker and the browser it holds.
pub struct Worker {
    pub id: usize,
    browser: Option<Handle>,
    shared: Arc<PoolShared>,
}

impl Worker {
    async fn run(&mut self, job: &Job) -> ScenarioResult {
        let ctx = &job.ctx;
        let scenario = &ctx.suite.scenarios[job.index];
        if job.cancel.is_cancelled() {
            return not_run(scenario);
        }
        let result = if is_provider(&ctx.suite, scenario) {
            let cancel = &job.cancel;
            let worker = &mut *self;
            ctx.sessions
                .run_provider(&scenario.name, || async move {
                    let mut state = None;
                    let result =
                        run_scenario(ctx, worker, cancel, scenario, Some(&mut state)).await;
                    (result, state)
                })
                .await
        } else {
            run_scenario(ctx, self, &job.cancel, scenario, None).await
        };
        if !self.shared.source.keeps_sessions() {
            self.close().await;
        }
        let _ = ctx.events.send(RunEvent::ScenarioFinished {
            worker: self.id,
            result: result.clone(),
        });
        result
    }

    /// A browser for an attempt of `scenario`: the one it holds when it is up and the isolation
    /// level allows, else a new one.
    pub(crate) async fn browser(
        &mut self,
        ctx: &RunContext,
        scenario: &Scenario,
    ) -> Result<&mut Handle, StepError> {
        if self.browser.as_mut().is_some_and(|b| !b.is_alive()) {
            self.discard_browser(ctx, "the browser exited").await;
        }
        self.recycle_if_due(ctx).await;
        let level = isolation_for(self.shared.isolation, scenario);
        let name = format!(
            "worker-{}-{}",
            self.id,
            self.shared.launches.fetch_add(1, Ordering::Relaxed)
        );
        let source = &self.shared.source;
        let handle = match self.browser.take() {
            Some(current) => source.renew(current, level, &name).await,
            None => source.launch(&name).await,
        }
        .map_err(|e| StepError::infra(format!("the browser failed to start: {e}")))?;
        let _ = ctx.events.send(RunEvent::BrowserReady { worker: self.id });
        let handle = self.browser.insert(handle);
        handle.mark_used();
        handle.plan(level);
        Ok(handle)
    }

    /// Replaces a browser that has served its `recycle_after` attempts: closed cleanly here,
    /// launched afresh by the caller. Long-lived browsers otherwise grow (caches, renderer
    /// memory) over a server's life.
    async fn recycle_if_due(&mut self, ctx: &RunContext) {
        let limit = self.shared.recycle_after;
        if limit == 0 || self.browser.as_ref().is_none_or(|b| b.attempts() < limit) {
            return;
        }
        if let Some(b) = self.browser.take() {
            let attempts = b.attempts();
            b.dispose_retired().await;
            self.shared.source.close(b, false).await;
            let _ = ctx.events.send(RunEvent::BrowserRecycled {
                worker: self.id,
                attempts,
            });
        }
    }

    /// Gives up the browser after an infrastructure error; the next attempt gets a new one.
    /// Returns where the browser's container log was kept, when it has one.
    pub(crate) async fn discard_browser(
        &mut self,
        ctx: &RunContext,
        reason: &str,
    ) -> Option<String> {
        let b = self.browser.take()?;
        let _ = ctx.events.send(RunEvent::BrowserRestarting {
            worker: self.id,
            reason: reason.to_string(),
        });
        let source = &self.shared.source;
        let log = match source.logs(&b).await {
            Some((name, text)) => keep_log(ctx, &name, &ctx.redactor.redact(&text)),
            None => None,
        };
        source.close(b, true).await;
        log
    }

    /// The next job: one already queued at once; else (nothing queued, or another idle worker
    /// is already waiting) the last job's pages are closed first, rather than during a next
    /// job that may come much later (a server between runs). `None` once the pool shuts down.
    async fn next_job(&self, jobs: &Mutex<mpsc::Receiver<Job>>) -> Option<Job> {
        if let Ok(mut queue) = jobs.try_lock() {
            match queue.try_recv() {
                Ok(job) => return Some(job),
                Err(mpsc::error::TryRecvError::Disconnected) => return None,
                Err(mpsc::error::TryRecvError::Empty) => {}
            }
        }
        if let Some(b) = &self.browser {
            b.dispose_retired().await;
        }
        jobs.lock().await.recv().await
    }

    async fn close(&mut self) {
        if let Some(b) = self.browser.take() {
            self.shared.source.close(b, false).await;
        }
    }
}

/// Writes a browser's log under the run's artifacts, returning its path relative to them.
fn keep_log(ctx: &RunContext, name: &str, text: &str) -> Option<String> {
    let relative = format!("browser-logs/{name}.log");
    let path = ctx.config.artifacts_dir.join(&relative);
    std::fs::create_dir_all(path.parent()?).ok()?;
    std::fs::write(&path, text).ok()?;
    Some(relative)
}
