//! Commit statuses: each verdict is posted to a GitHub-compatible API
//! (`POST /repos/{owner}/{repo}/statuses/{sha}`) from a durable outbox, retried with backoff.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::PublishConfig;
use crate::store::{OutboxStatus, Store, now_ms};

pub struct Publisher {
    client: reqwest::Client,
    config: PublishConfig,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct PublishError {
    pub message: String,
    /// Worth trying again (network error, 5xx, 429).
    pub retryable: bool,
    /// The server's `Retry-After`, if it gave one.
    pub retry_after: Option<Duration>,
}

/// Delay before attempt `attempts + 1`: 1 s, 2 s, 4 s… up to 5 minutes.
pub fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(1u64 << attempts.min(9)).min(Duration::from_secs(300))
}

/// Attempts before a status is given up.
pub const MAX_ATTEMPTS: u32 = 10;

impl Publisher {
    pub fn new(config: &PublishConfig) -> Result<Publisher, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Publisher {
            client,
            config: config.clone(),
        })
    }

    /// One attempt to post a status.
    pub async fn post(
        &self,
        sha: &str,
        state: &str,
        description: &str,
        target_url: &str,
    ) -> Result<(), PublishError> {
        let url = format!(
            "{}/repos/{}/statuses/{sha}",
            self.config.api_url, self.config.repository
        );
        let body = serde_json::json!({
            "state": state,
            "target_url": target_url,
            "description": description.chars().take(140).collect::<String>(),
            "context": self.config.context,
        });
        let response = self
            .client
            .post(&url)
            .bearer_auth(&self.config.token)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .json(&body)
            .send()
            .await
            .map_err(|e| PublishError {
                message: format!("POST {url}: {e}"),
                retryable: true,
                retry_after: None,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response.text().await.unwrap_or_default();
        Err(PublishError {
            message: format!(
                "POST {url}: {status}: {}",
                text.chars().take(200).collect::<String>()
            ),
            retryable: status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS,
            retry_after,
        })
    }
}

/// Posts due statuses until `shutdown`: woken by `notify` when one is queued, and every second
/// for retries.
pub async fn run_outbox(
    publisher: Publisher,
    store: Store,
    notify: Arc<Notify>,
    shutdown: CancellationToken,
) {
    loop {
        match store.due_statuses(now_ms(), 20).await {
            Ok(due) => {
                for status in due {
                    deliver(&publisher, &store, status).await;
                }
            }
            Err(err) => tracing::warn!("cannot read the status outbox: {err}"),
        }
        tokio::select! {
            _ = notify.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

async fn deliver(publisher: &Publisher, store: &Store, status: OutboxStatus) {
    let outcome = publisher
        .post(
            &status.sha,
            &status.state,
            &status.description,
            &status.target_url,
        )
        .await;
    let recorded = match outcome {
        Ok(()) => store.status_delivered(&status.id).await,
        Err(err) if err.retryable && status.attempts + 1 < MAX_ATTEMPTS => {
            let wait = err.retry_after.unwrap_or_else(|| backoff(status.attempts));
            tracing::warn!(sha = %status.sha, "commit status not posted ({err}); retrying in {wait:?}");
            store
                .status_failed(&status.id, now_ms() + wait.as_millis() as i64, &err.message)
                .await
        }
        Err(err) => {
            tracing::error!(sha = %status.sha, "commit status given up: {err}");
            // Parked for good: far in the future, kept for inspection.
            let _ = store
                .status_failed(&status.id, i64::MAX / 2, &err.message)
                .await;
            store.status_delivered(&status.id).await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!("cannot update the status outbox: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(20), Duration::from_secs(300));
    }
}
