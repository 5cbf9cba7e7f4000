//! One leased job: parse the run's scenarios, run the one scenario on the pool while
//! heartbeats keep the lease, then deliver the result with its files, or hand the job back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use gate_runner::result::{Failure, FailureKind, Outcome, ScenarioResult};
use gate_runner::{BrowserPool, RunConfig, RunContext};
use gate_scenarios::{CheckOptions, SourceFile, check_suite};
use tokio_util::sync::CancellationToken;

use super::{JobSource, RunnerSettings, secrets_for};
use gate_wire::Lease;

pub struct Job<S> {
    pub source: Arc<S>,
    pub pool: Arc<BrowserPool>,
    pub settings: RunnerSettings,
    pub contexts: Arc<Mutex<HashMap<String, Weak<RunContext>>>>,
    /// Cancelled when the runner shuts down: the job is handed back.
    pub stop: CancellationToken,
    pub lease: Lease,
}

impl<S: JobSource> Job<S> {
    pub async fn run(self) {
        let lease = &self.lease;
        let (ctx, index) = match self.context() {
            Ok(found) => found,
            Err(message) => {
                // The server checked these files at submission; this is a runner/server mismatch.
                let result = broken_job(lease, message);
                let _ = self.source.complete(lease, result, Vec::new()).await;
                return;
            }
        };
        // Lost lease or shutdown: stop the scenario.
        let cancel = self.stop.child_token();
        let lost = CancellationToken::new();
        let heartbeat = tokio::spawn(heartbeats(
            self.source.clone(),
            lease.clone(),
            cancel.clone(),
            lost.clone(),
        ));
        let result = self.pool.run(ctx.clone(), index, cancel.clone()).await;
        heartbeat.abort();
        if lost.is_cancelled() {
            tracing::warn!(job = %lease.job, "lease lost; the result is dropped (the job runs elsewhere)");
            return;
        }
        if self.stop.is_cancelled() && result.outcome == Outcome::Cancelled {
            if let Err(err) = self.source.release(lease).await {
                tracing::warn!(job = %lease.job, "could not hand the job back ({err}); it returns when its lease expires");
            }
            return;
        }
        let artifacts = collect_artifacts(&ctx.config().artifacts_dir, &result);
        // Deliver, retrying transient failures for a while: the result is the expensive part.
        let mut wait = Duration::from_millis(200);
        for _ in 0..8 {
            match self
                .source
                .complete(lease, result.clone(), artifacts.clone())
                .await
            {
                Ok(()) => break,
                Err(err) => {
                    tracing::warn!(job = %lease.job, "could not deliver the result ({err}); retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }
        }
        for (path, _) in &artifacts {
            let _ = std::fs::remove_file(ctx.config().artifacts_dir.join(path));
        }
    }

    /// The run's context (shared by its jobs on this runner, so a login session is made once)
    /// and the scenario's index in it.
    fn context(&self) -> Result<(Arc<RunContext>, usize), String> {
        let lease = &self.lease;
        let mut contexts = self.contexts.lock().unwrap_or_else(|p| p.into_inner());
        contexts.retain(|_, weak| weak.strong_count() > 0);
        let ctx = match contexts.get(&lease.run).and_then(Weak::upgrade) {
            Some(ctx) => ctx,
            None => {
                let files: Vec<SourceFile<'_>> = lease
                    .sources
                    .iter()
                    .map(|s| SourceFile {
                        path: &s.path,
                        text: &s.text,
                    })
                    .collect();
                let (suite, diagnostics) = check_suite(&files, &CheckOptions::default());
                if let Some(d) = diagnostics.iter().find(|d| d.is_error()) {
                    return Err(format!(
                        "the run's scenario files do not check here: {}: {}",
                        d.path, d.message
                    ));
                }
                let mut config =
                    RunConfig::new(lease.base_url.clone(), self.settings.browser.clone());
                config.run_id = lease.run.clone();
                config.step_timeout = self.settings.step_timeout;
                config.scenario_timeout = self.settings.scenario_timeout;
                config.artifacts_dir = self.settings.artifacts_root.join(&lease.run);
                config.secrets = secrets_for(&lease.sources);
                config.secrets.extend(self.settings.secrets.clone());
                let (events, mut sink) = tokio::sync::mpsc::unbounded_channel();
                tokio::spawn(async move { while sink.recv().await.is_some() {} });
                let ctx = RunContext::new(suite, config, events);
                contexts.insert(lease.run.clone(), Arc::downgrade(&ctx));
                ctx
            }
        };
        let index = ctx
            .suite()
            .scenarios
            .iter()
            .position(|s| s.name == lease.scenario)
            .ok_or_else(|| format!("the run has no scenario named `{}`", lease.scenario))?;
        Ok((ctx, index))
    }
}

async fn heartbeats<S: JobSource>(
    source: Arc<S>,
    lease: Lease,
    cancel: CancellationToken,
    lost: CancellationToken,
) {
    let every = Duration::from_millis(lease.heartbeat_ms.max(100));
    loop {
        tokio::time::sleep(every).await;
        match source.heartbeat(&lease).await {
            Ok(true) => {}
            Ok(false) => {
                lost.cancel();
                cancel.cancel();
                return;
            }
            // A blip: the lease has slack; keep going.
            Err(err) => tracing::warn!(job = %lease.job, "heartbeat failed: {err}"),
        }
    }
}

/// The files a result refers to, read from the run's artifact directory.
fn collect_artifacts(dir: &std::path::Path, result: &ScenarioResult) -> Vec<(String, Vec<u8>)> {
    let mut paths = Vec::new();
    for attempt in &result.attempts {
        paths.extend(attempt.artifacts.failure_screenshot.clone());
        paths.extend(attempt.artifacts.page_html.clone());
        paths.extend(attempt.artifacts.browser_log.clone());
        paths.extend(attempt.artifacts.screenshots.iter().map(|s| s.path.clone()));
    }
    paths
        .into_iter()
        .filter_map(|p| std::fs::read(dir.join(&p)).ok().map(|bytes| (p, bytes)))
        .collect()
}

fn broken_job(lease: &Lease, message: String) -> ScenarioResult {
    ScenarioResult {
        name: lease.scenario.clone(),
        path: String::new(),
        tags: Vec::new(),
        outcome: Outcome::Error,
        duration_ms: 0,
        attempts: vec![gate_runner::result::Attempt {
            number: 1,
            outcome: gate_runner::result::AttemptOutcome::Error,
            worker: 0,
            duration_ms: 0,
            steps: Vec::new(),
            failure: Some(Failure {
                kind: FailureKind::Setup,
                step: None,
                location: None,
                step_description: None,
                message,
                expected: None,
                actual: None,
            }),
            artifacts: Default::default(),
            console_errors: Vec::new(),
            failed_requests: Vec::new(),
        }],
    }
}
