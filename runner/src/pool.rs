//! The browser pool: long-lived workers, each owning one Chromium process, that run scenario
//! jobs sent to them. A worker keeps its browser between jobs (a fresh context per attempt gives
//! the isolation) and replaces it when it dies. `gate run` uses one pool for one run; the
//! server keeps one for its whole life and feeds it jobs of many runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::browser::{BrowserProcess, profile_root};
use crate::config::BrowserOptions;
use crate::context::RunContext;
use crate::error::StepError;
use crate::event::RunEvent;
use crate::result::ScenarioResult;
use crate::scenario_run::{is_provider, not_run, run_scenario};

/// A running pool. [`BrowserPool::shutdown`] closes every browser.
pub struct BrowserPool {
    jobs: mpsc::Sender<Job>,
    workers: JoinSet<()>,
    size: usize,
    profiles: PathBuf,
}

struct Job {
    ctx: Arc<RunContext>,
    index: usize,
    cancel: CancellationToken,
    reply: oneshot::Sender<ScenarioResult>,
}

/// What all workers of a pool share.
struct PoolShared {
    options: BrowserOptions,
    profiles: PathBuf,
    launches: AtomicU64,
}

impl BrowserPool {
    /// Starts `size` workers (numbered from 1). Browsers start on each worker's first job.
    pub fn start(options: BrowserOptions, size: usize) -> BrowserPool {
        let size = size.max(1);
        let profiles = profile_root();
        let shared = Arc::new(PoolShared {
            options,
            profiles: profiles.clone(),
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
                loop {
                    let job = rx.lock().await.recv().await;
                    let Some(job) = job else { break };
                    let result = worker.run(&job).await;
                    let _ = job.reply.send(result);
                }
                worker.close().await;
            });
        }
        BrowserPool {
            jobs: tx,
            workers,
            size,
            profiles,
        }
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
        let fallback = not_run(&ctx.suite.scenarios[index]);
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
        answer.await.unwrap_or(fallback)
    }

    /// Lets running jobs finish, then closes every browser and removes the profiles.
    pub async fn shutdown(mut self) {
        drop(self.jobs);
        while let Some(done) = self.workers.join_next().await {
            if let Err(err) = done {
                tracing::error!("browser worker failed: {err}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.profiles);
    }
}

/// One worker and the browser it owns.
pub struct Worker {
    pub id: usize,
    browser: Option<BrowserProcess>,
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
        let _ = ctx.events.send(RunEvent::ScenarioFinished {
            worker: self.id,
            result: result.clone(),
        });
        result
    }

    /// A browser that is up, starting (or replacing) it as needed.
    pub(crate) async fn browser(
        &mut self,
        ctx: &RunContext,
    ) -> Result<&mut BrowserProcess, StepError> {
        if self.browser.as_mut().is_some_and(|b| !b.is_alive()) {
            self.discard_browser(ctx, "the browser exited").await;
        }
        if self.browser.is_none() {
            let name = format!(
                "worker-{}-{}",
                self.id,
                self.shared.launches.fetch_add(1, Ordering::Relaxed)
            );
            let launched =
                BrowserProcess::launch(&self.shared.options, &self.shared.profiles, &name)
                    .await
                    .map_err(|e| StepError::infra(format!("the browser failed to start: {e}")))?;
            let _ = ctx.events.send(RunEvent::BrowserReady { worker: self.id });
            self.browser = Some(launched);
        }
        self.browser
            .as_mut()
            .ok_or_else(|| StepError::infra("the browser vanished"))
    }

    /// Closes the browser (after an infrastructure error); the next attempt starts a new one.
    pub(crate) async fn discard_browser(&mut self, ctx: &RunContext, reason: &str) {
        if let Some(b) = self.browser.take() {
            let _ = ctx.events.send(RunEvent::BrowserRestarting {
                worker: self.id,
                reason: reason.to_string(),
            });
            b.close().await;
        }
    }

    async fn close(&mut self) {
        if let Some(b) = self.browser.take() {
            b.close().await;
        }
    }
}
