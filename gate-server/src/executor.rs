//! Runs leased scenario jobs on a browser pool: the server's embedded pool and `gate agent`
//! share this loop and differ only in where jobs come from ([`JobSource`]): the store directly,
//! or the server's agent API over HTTP.
//!
//! Every job holds a lease that heartbeats keep alive. A job whose lease is lost (the server
//! handed it to someone else) is stopped and its result dropped; on shutdown running jobs are
//! cancelled and handed back, so nothing submitted is lost or stuck.

mod job;
mod local;
mod remote;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use gate_runner::{BackendError, BrowserOptions, BrowserPool, RunContext};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use local::LocalSource;
pub use remote::RemoteSource;

use gate_wire::Lease;

/// Where jobs come from and where their results go.
pub trait JobSource: Send + Sync + 'static {
    /// Up to `capacity` jobs; may wait a while for work (and return none).
    fn lease(&self, capacity: u32) -> impl Future<Output = Result<Vec<Lease>, SourceError>> + Send;
    /// Keeps the lease; `Ok(false)` when it was lost.
    fn heartbeat(&self, lease: &Lease) -> impl Future<Output = Result<bool, SourceError>> + Send;
    /// Delivers the result (and artifact files); a lost lease is not an error here.
    fn complete(
        &self,
        lease: &Lease,
        result: gate_runner::result::ScenarioResult,
        artifacts: Vec<(String, Vec<u8>)>,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;
    /// Hands the job back to the queue.
    fn release(&self, lease: &Lease) -> impl Future<Output = Result<(), SourceError>> + Send;
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

/// How jobs are run, apart from what each lease says.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    pub browser: BrowserOptions,
    pub workers: usize,
    pub step_timeout: Duration,
    pub scenario_timeout: Duration,
    /// Scratch space for screenshots before they are stored or uploaded.
    pub artifacts_root: PathBuf,
    /// Secrets given beside the process environment (they win).
    pub secrets: BTreeMap<String, String>,
}

/// Runs jobs from `source` until `shutdown`, then hands back what is still running, closes the
/// browsers and returns.
pub async fn run<S: JobSource>(
    source: Arc<S>,
    settings: RunnerSettings,
    hooks: Arc<dyn Hooks>,
    shutdown: CancellationToken,
) -> Result<(), BackendError> {
    let pool = Arc::new(BrowserPool::start(settings.browser.clone(), settings.workers).await?);
    let capacity = pool.size();
    hooks.capacity(capacity);
    let contexts: Arc<Mutex<HashMap<String, Weak<RunContext>>>> = Arc::default();
    let jobs_cancel = CancellationToken::new();
    let mut running: JoinSet<()> = JoinSet::new();
    let mut lease_task: Option<tokio::task::JoinHandle<Result<Vec<Lease>, SourceError>>> = None;
    let mut stopping = false;
    let mut backoff = Duration::from_millis(250);
    loop {
        let free = capacity.saturating_sub(running.len());
        if lease_task.is_none() && free > 0 && !stopping {
            let source = source.clone();
            lease_task = Some(tokio::spawn(async move { source.lease(free as u32).await }));
        }
        if stopping && running.is_empty() && lease_task.is_none() {
            break;
        }
        tokio::select! {
            leased = async { lease_task.as_mut().expect("guarded").await }, if lease_task.is_some() => {
                lease_task = None;
                let leases = match leased {
                    Ok(Ok(leases)) => { backoff = Duration::from_millis(250); leases }
                    Ok(Err(err)) => {
                        tracing::warn!("cannot get jobs: {err}; retrying in {backoff:?}");
                        tokio::select! { _ = tokio::time::sleep(backoff) => {}, _ = shutdown.cancelled() => {} }
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                        continue;
                    }
                    Err(join) => { tracing::error!("lease task failed: {join}"); continue; }
                };
                for lease in leases {
                    if stopping {
                        let _ = source.release(&lease).await;
                        continue;
                    }
                    hooks.busy(1);
                    let job = job::Job {
                        source: source.clone(),
                        pool: pool.clone(),
                        settings: settings.clone(),
                        contexts: contexts.clone(),
                        stop: jobs_cancel.child_token(),
                        lease,
                    };
                    running.spawn(job.run());
                }
            }
            Some(done) = running.join_next(), if !running.is_empty() => {
                hooks.busy(-1);
                if let Err(err) = done {
                    tracing::error!("job task failed: {err}");
                }
            }
            _ = shutdown.cancelled(), if !stopping => {
                tracing::info!("stopping: handing back {} running job(s)", running.len());
                stopping = true;
                jobs_cancel.cancel();
            }
        }
    }
    if let Ok(pool) = Arc::try_unwrap(pool) {
        pool.shutdown().await;
    }
    Ok(())
}

/// What the loop tells its owner about its browsers (metrics). Results are not reported here:
/// the service announces them, whoever ran them.
pub trait Hooks: Send + Sync {
    fn capacity(&self, _workers: usize) {}
    fn busy(&self, _delta: i64) {}
}

/// Hooks that do nothing (agents).
pub struct NoHooks;
impl Hooks for NoHooks {}

/// Secrets the scenario files mention, from this process's environment.
pub fn secrets_for(sources: &[gate_wire::SourceFile]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for source in sources {
        let mut rest = source.text.as_str();
        while let Some(i) = rest.find("{{") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find("}}") else { break };
            if let Some(name) = rest[..end].trim().strip_prefix("secret.") {
                if let Ok(value) = std::env::var(name) {
                    out.insert(name.to_string(), value);
                }
            }
            rest = &rest[end..];
        }
    }
    out
}
