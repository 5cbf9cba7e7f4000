//! Jobs straight from the service: the server's embedded pool.

use std::time::Duration;

use gate_runner::result::ScenarioResult;
use gate_wire::Lease;

use super::{JobSource, SourceError};
use crate::service::{Service, ServiceError};
use crate::views;

/// How long one lease call waits for work: submissions wake it at once; jobs of other servers
/// sharing the database and expired leases are found by the next call.
const WAIT: Duration = Duration::from_secs(1);

pub struct LocalSource {
    service: Service,
    owner: String,
}

impl LocalSource {
    pub fn new(service: Service) -> LocalSource {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        LocalSource {
            service,
            owner: format!("embedded@{host}:{}", std::process::id()),
        }
    }
}

fn failed(err: ServiceError) -> SourceError {
    SourceError(err.to_string())
}

impl JobSource for LocalSource {
    async fn lease(&self, capacity: u32) -> Result<Vec<Lease>, SourceError> {
        let jobs = self
            .service
            .lease(&self.owner, capacity, WAIT)
            .await
            .map_err(failed)?;
        let heartbeat_ms = self.service.heartbeat_ms();
        Ok(jobs
            .into_iter()
            .map(|j| views::lease(j, heartbeat_ms))
            .collect())
    }

    async fn heartbeat(&self, lease: &Lease) -> Result<bool, SourceError> {
        match self.service.heartbeat(&lease.job, &lease.token).await {
            Ok(()) => Ok(true),
            Err(ServiceError::LeaseLost) => Ok(false),
            Err(err) => Err(failed(err)),
        }
    }

    async fn complete(
        &self,
        lease: &Lease,
        result: ScenarioResult,
        artifacts: Vec<(String, Vec<u8>)>,
    ) -> Result<(), SourceError> {
        match self
            .service
            .complete(&lease.job, &lease.token, &result, &artifacts)
            .await
        {
            Ok(_) => Ok(()),
            Err(ServiceError::LeaseLost) => {
                tracing::warn!(job = %lease.job, "lease lost before the result arrived; dropped");
                Ok(())
            }
            Err(err) => Err(failed(err)),
        }
    }

    async fn release(&self, lease: &Lease) -> Result<(), SourceError> {
        self.service
            .release(&lease.job, &lease.token)
            .await
            .map_err(failed)
    }
}
