//! Jobs from a gate server's agent API over HTTP (`gate agent`).

use std::time::Duration;

use base64::Engine;
use gate_runner::result::ScenarioResult;
use reqwest::StatusCode;

use super::{JobSource, SourceError};
use gate_wire::{
    ArtifactUpload, ErrorBody, Heartbeat, JobResult, Lease, LeaseGrant, LeaseRequest,
    RESULT_VERSION,
};

pub struct RemoteSource {
    client: reqwest::Client,
    server: String,
    token: String,
    agent: String,
    /// How long one lease request may wait on the server for work.
    wait: Duration,
}

impl RemoteSource {
    pub fn new(server: &str, token: &str, agent: &str) -> RemoteSource {
        RemoteSource {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .user_agent(concat!("gate-agent/", env!("CARGO_PKG_VERSION")))
                .build()
                .unwrap_or_default(),
            server: server.trim_end_matches('/').to_string(),
            token: token.to_string(),
            agent: agent.to_string(),
            wait: Duration::from_secs(20),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.server)
    }

    async fn post<T: serde::Serialize>(
        &self,
        path: &str,
        body: &T,
    ) -> Result<reqwest::Response, SourceError> {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| SourceError(format!("{}: {e}", self.server)))
    }
}

/// A clear error for an unexpected answer, with the server's `error` text when there is one.
async fn unexpected(what: &str, response: reqwest::Response) -> SourceError {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<ErrorBody>(&body)
        .map(|e| e.error)
        .unwrap_or(body);
    SourceError(format!("{what}: the server answered {status}: {detail}"))
}

impl JobSource for RemoteSource {
    async fn lease(&self, capacity: u32) -> Result<Vec<Lease>, SourceError> {
        let request = LeaseRequest {
            agent: self.agent.clone(),
            capacity,
            wait_ms: self.wait.as_millis() as u64,
        };
        let response = self.post("/agent/lease", &request).await?;
        if response.status() != StatusCode::OK {
            return Err(unexpected("lease", response).await);
        }
        let grant: LeaseGrant = response
            .json()
            .await
            .map_err(|e| SourceError(format!("lease: bad answer: {e}")))?;
        Ok(grant.leases)
    }

    async fn heartbeat(&self, lease: &Lease) -> Result<bool, SourceError> {
        let response = self
            .post(
                &format!("/agent/jobs/{}/heartbeat", lease.job),
                &Heartbeat {
                    token: lease.token.clone(),
                },
            )
            .await?;
        match response.status() {
            s if s.is_success() => Ok(true),
            StatusCode::CONFLICT | StatusCode::NOT_FOUND => Ok(false),
            _ => Err(unexpected("heartbeat", response).await),
        }
    }

    async fn complete(
        &self,
        lease: &Lease,
        result: ScenarioResult,
        artifacts: Vec<(String, Vec<u8>)>,
    ) -> Result<(), SourceError> {
        let artifacts = artifacts
            .into_iter()
            .map(|(path, bytes)| ArtifactUpload {
                path,
                content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            })
            .collect();
        let body = JobResult {
            token: lease.token.clone(),
            result_version: RESULT_VERSION,
            result,
            artifacts,
        };
        let response = self
            .post(&format!("/agent/jobs/{}/result", lease.job), &body)
            .await?;
        match response.status() {
            s if s.is_success() => Ok(()),
            StatusCode::CONFLICT => {
                tracing::warn!(job = %lease.job, "the server no longer holds this lease for us; result dropped");
                Ok(())
            }
            _ => Err(unexpected("result", response).await),
        }
    }

    async fn release(&self, lease: &Lease) -> Result<(), SourceError> {
        let response = self
            .post(
                &format!("/agent/jobs/{}/release", lease.job),
                &Heartbeat {
                    token: lease.token.clone(),
                },
            )
            .await?;
        match response.status() {
            s if s.is_success() || s == StatusCode::CONFLICT => Ok(()),
            _ => Err(unexpected("release", response).await),
        }
    }
}
