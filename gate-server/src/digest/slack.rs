//! [`SlackChannel`]: the digest posted to a Slack-compatible incoming webhook as the
//! composed `{"text": …, "blocks": […]}`. Success is HTTP 200 with the body `ok`. The
//! webhook URL is a credential: it never appears in an error.

use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::StatusCode;

use super::{DigestChannel, SendError};
use crate::config::SlackConfig;
use crate::service::DigestContent;

/// Characters of a refusal's body kept in the error.
const EXCERPT: usize = 200;

pub struct SlackChannel {
    client: reqwest::Client,
    url: String,
    timeout: Duration,
}

impl SlackChannel {
    pub fn new(config: &SlackConfig) -> Result<SlackChannel, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .timeout(config.timeout)
            .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(SlackChannel {
            client,
            url: config.webhook_url.clone(),
            timeout: config.timeout,
        })
    }
}

impl DigestChannel for SlackChannel {
    fn name(&self) -> &'static str {
        "slack"
    }

    fn timeout(&self) -> Duration {
        self.timeout
    }

    fn send<'a>(&'a self, content: &'a DigestContent) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let response = self
                .client
                .post(&self.url)
                .json(&content.slack)
                .send()
                .await
                .map_err(|e| SendError::transient(format!("webhook: {}", e.without_url())))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let body = response.text().await.unwrap_or_default();
            outcome(status, &body, retry_after)
        })
    }
}

/// What an answer means: 200 `ok` is delivered; 429 and 5xx are worth another try.
fn outcome(status: StatusCode, body: &str, retry_after: Option<Duration>) -> Result<(), SendError> {
    if status == StatusCode::OK && body.trim() == "ok" {
        return Ok(());
    }
    let excerpt: String = body.trim().chars().take(EXCERPT).collect();
    let message = format!("webhook answered {}: {excerpt}", status.as_u16());
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(SendError {
            retry_after,
            ..SendError::transient(message)
        });
    }
    if status.is_server_error() {
        return Err(SendError::transient(message));
    }
    Err(SendError::permanent(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_200_ok_is_delivered() {
        assert!(outcome(StatusCode::OK, "ok\n", None).is_ok());
        let odd = outcome(StatusCode::OK, "hello", None).unwrap_err();
        assert!(!odd.retryable);
        let down = outcome(StatusCode::SERVICE_UNAVAILABLE, "down", None).unwrap_err();
        assert_eq!(down.message, "webhook answered 503: down");
        assert!(down.retryable);
        let limited = outcome(
            StatusCode::TOO_MANY_REQUESTS,
            "",
            Some(Duration::from_secs(7)),
        )
        .unwrap_err();
        assert_eq!(limited.retry_after, Some(Duration::from_secs(7)));
        assert!(
            !outcome(StatusCode::NOT_FOUND, "no_service", None)
                .unwrap_err()
                .retryable
        );
    }
}
