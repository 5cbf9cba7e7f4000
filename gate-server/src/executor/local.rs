//! Jobs straight from the store: the server's embedded pool.

use std::time::Duration;

use gate_runner::result::ScenarioResult;

use super::{JobSource, SourceError};
use crate::state::AppState;
use crate::store::{Completion, LeasedJob};
use crate::wire::Lease;

pub struct LocalSource {
    state: AppState,
    owner: String,
}

impl LocalSource {
    pub fn new(state: AppState) -> LocalSource {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        LocalSource {
            state,
            owner: format!("embedded@{host}:{}", std::process::id()),
        }
    }
}

/// The lease as a runner sees it (the same shape agents get over HTTP).
pub fn lease_of(job: LeasedJob, lease_for: Duration) -> Lease {
    Lease {
        job: job.job.id,
        run: job.run.id,
        token: job.token,
        expires_at: job.expires_at,
        heartbeat_ms: (lease_for.as_millis() as u64 / 3).max(100),
        scenario: job.job.scenario,
        base_url: job.run.base_url,
        sources: job.run.sources,
    }
}

fn db(err: crate::store::StoreError) -> SourceError {
    SourceError(err.to_string())
}

impl JobSource for LocalSource {
    async fn lease(&self, capacity: u32) -> Result<Vec<Lease>, SourceError> {
        let config = &self.state.config;
        // Wait up to a second for work: submissions wake us at once; jobs of other servers
        // sharing the database and expired leases are found by the periodic retry.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        loop {
            let notified = self.state.work.notified();
            let (jobs, finished) = self
                .state
                .store
                .lease_and_expire(&self.owner, capacity, config.lease, config.max_leases)
                .await
                .map_err(db)?;
            for run in &finished {
                crate::verdict::run_finished(&self.state, run).await;
            }
            if !jobs.is_empty() {
                return Ok(jobs
                    .into_iter()
                    .map(|j| lease_of(j, config.lease))
                    .collect());
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn heartbeat(&self, lease: &Lease) -> Result<bool, SourceError> {
        self.state
            .store
            .heartbeat(&lease.job, &lease.token, self.state.config.lease)
            .await
            .map_err(db)
    }

    async fn complete(
        &self,
        lease: &Lease,
        result: ScenarioResult,
        artifacts: Vec<(String, Vec<u8>)>,
    ) -> Result<(), SourceError> {
        match self
            .state
            .store
            .complete(&lease.job, &lease.token, &result, &artifacts)
            .await
            .map_err(db)?
        {
            Completion::Recorded {
                run_finished: Some(run),
            } => crate::verdict::run_finished(&self.state, &run).await,
            Completion::Recorded { run_finished: None } => {}
            Completion::LeaseLost => {
                tracing::warn!(job = %lease.job, "lease lost before the result arrived; dropped")
            }
        }
        Ok(())
    }

    async fn release(&self, lease: &Lease) -> Result<(), SourceError> {
        self.state
            .store
            .release(&lease.job, &lease.token)
            .await
            .map_err(db)
    }
}
