//! The lease protocol runners speak (the embedded pool in-process, agents over HTTP): take up
//! to N jobs, waiting a while for work; keep a lease with heartbeats; deliver a result with
//! its artifact files; or hand the job back.

use std::time::Duration;

use gate_runner::result::ScenarioResult;

use crate::events::{Event, ScenarioFinished};
use crate::store::{Completion, LeasedJob};

use super::{Service, ServiceError};

/// Re-check the queue this often while waiting: expired leases and other servers' work notify
/// no one here.
const RECHECK: Duration = Duration::from_secs(1);

/// A result that was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// This was the run's last job: the run has its final state.
    pub run_finished: bool,
}

impl Service {
    /// Up to `capacity` jobs for `owner`, waiting up to `wait` for some: a submission wakes
    /// the wait at once. Jobs that lost their runner too often end as `error` on the way,
    /// and runs they finish are announced.
    pub async fn lease(
        &self,
        owner: &str,
        capacity: u32,
        wait: Duration,
    ) -> Result<Vec<LeasedJob>, ServiceError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.work.notified();
            let (jobs, finished) = self
                .store
                .lease_and_expire(owner, capacity, self.config.lease, self.config.max_leases)
                .await?;
            for run in &finished {
                self.finished(run).await;
            }
            if !jobs.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(jobs);
            }
            let tick = (tokio::time::Instant::now() + RECHECK).min(deadline);
            let _ = tokio::time::timeout_at(tick, notified).await;
        }
    }

    /// How often a lease holder should send a heartbeat.
    pub fn heartbeat_ms(&self) -> u64 {
        (self.config.lease.as_millis() as u64 / 3).max(100)
    }

    /// Renews the lease. `LeaseLost` when it no longer holds the job.
    pub async fn heartbeat(&self, job: &str, token: &str) -> Result<(), ServiceError> {
        if self.store.heartbeat(job, token, self.config.lease).await? {
            Ok(())
        } else {
            Err(ServiceError::LeaseLost)
        }
    }

    /// Records a job's result and its artifact files (path relative to the run's artifacts,
    /// bytes). `LeaseLost` when the lease no longer holds the job: nothing is stored.
    pub async fn complete(
        &self,
        job: &str,
        token: &str,
        result: &ScenarioResult,
        artifacts: &[(String, Vec<u8>)],
    ) -> Result<Recorded, ServiceError> {
        match self.store.complete(job, token, result, artifacts).await? {
            Completion::Recorded {
                run_id,
                run_finished,
            } => {
                self.events.emit(Event::ScenarioFinished(ScenarioFinished {
                    run_id,
                    job_id: job.to_string(),
                    scenario: result.name.clone(),
                    outcome: result.outcome,
                    duration_ms: result.duration_ms,
                }));
                if let Some(run) = &run_finished {
                    self.finished(run).await;
                }
                Ok(Recorded {
                    run_finished: run_finished.is_some(),
                })
            }
            Completion::LeaseLost => Err(ServiceError::LeaseLost),
        }
    }

    /// Hands a leased job back to the queue (its runner is stopping); in a cancelled run it
    /// ends as `cancelled` instead. A lease that no longer holds the job changes nothing.
    pub async fn release(&self, job: &str, token: &str) -> Result<(), ServiceError> {
        self.store.release(job, token).await?;
        self.work.notify_waiters();
        Ok(())
    }
}
