//! [`Publisher`]: one attempt to post one commit status, speaking GitHub's REST wire format.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::error::{PublishError, PublishErrorKind};
use super::retry::RetryPolicy;
use crate::config::PublishConfig;
use crate::model::CommitState;

/// GitHub cuts descriptions longer than this.
const MAX_DESCRIPTION: usize = 140;

/// Posts commit statuses to the configured API. Cheap to share by reference.
pub struct Publisher {
    client: reqwest::Client,
    config: PublishConfig,
    retry: RetryPolicy,
}

impl Publisher {
    /// A publisher with the default [`RetryPolicy`]. Every request is bounded by a timeout.
    pub fn new(config: &PublishConfig) -> Result<Publisher, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Publisher {
            client,
            config: config.clone(),
            retry: RetryPolicy::default(),
        })
    }

    /// The same publisher with another retry schedule (tests use short delays).
    pub fn with_retry(self, retry: RetryPolicy) -> Publisher {
        Publisher { retry, ..self }
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// One attempt to set the status of `sha`: `state` is `pending`, `success`, `failure` or
    /// `error`; `description` is cut to GitHub's 140 characters; an empty `target_url` sends
    /// none.
    pub async fn post(
        &self,
        sha: &str,
        state: CommitState,
        description: &str,
        target_url: &str,
    ) -> Result<(), PublishError> {
        let fail = |kind| PublishError {
            sha: sha.to_string(),
            state: state.as_str().to_string(),
            kind,
        };
        // The SHA goes into the URL path: anything but hex could reach another endpoint.
        if !is_commit_sha(sha) {
            return Err(fail(PublishErrorKind::Invalid(
                "not a commit SHA (40 or 64 hex digits)".into(),
            )));
        }
        let url = format!(
            "{}/repos/{}/statuses/{sha}",
            self.config.api_url, self.config.repository
        );
        let body = serde_json::json!({
            "state": state.as_str(),
            "target_url": (!target_url.is_empty()).then_some(target_url),
            "description": shorten(description, MAX_DESCRIPTION),
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
            .map_err(|e| fail(PublishErrorKind::Network(network_error(&url, &e))))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let rate_limit_wait = rate_limit_wait(status, response.headers());
        let message = api_message(&response.text().await.unwrap_or_default());
        Err(fail(match rate_limit_wait {
            Some(retry_after) => PublishErrorKind::RateLimited {
                status: status.as_u16(),
                retry_after,
            },
            None if status.is_server_error() => PublishErrorKind::Unavailable {
                status: status.as_u16(),
                message,
            },
            None => PublishErrorKind::Refused {
                status: status.as_u16(),
                message,
            },
        }))
    }
}

/// `Some(wait)` if the answer is a rate limit: a 429, or a 403 with an exhausted limit or a
/// `Retry-After` (GitHub's primary and secondary limits). `wait` is what the headers say:
/// `Retry-After` seconds, else the time until `X-RateLimit-Reset`.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap) -> Option<Option<Duration>> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let retry_after = header("retry-after").map(Duration::from_secs);
    let exhausted = header("x-ratelimit-remaining") == Some(0);
    let limited = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN && (exhausted || retry_after.is_some()));
    if !limited {
        return None;
    }
    let until_reset = header("x-ratelimit-reset")
        .filter(|_| exhausted)
        .map(|reset| {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            Duration::from_secs(reset.saturating_sub(now) + 1)
        });
    Some(retry_after.or(until_reset))
}

/// GitHub's error bodies are `{"message": …, "documentation_url": …}`; others are shown cut.
fn api_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|json| json["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| shorten(body.trim(), 200))
}

/// reqwest's error with its causes (the top level alone says only "error sending request").
fn network_error(url: &str, error: &reqwest::Error) -> String {
    let mut message = format!("POST {url}: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

fn is_commit_sha(sha: &str) -> bool {
    (sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

/// At most `max` characters, the last one `…` if anything was cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn rate_limits_are_told_from_refusals() {
        let h = headers(&[("retry-after", "7")]);
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &h),
            Some(Some(Duration::from_secs(7)))
        );
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &h),
            Some(Some(Duration::from_secs(7)))
        );
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new()),
            Some(None)
        );
        // A plain 403 (no access) is a refusal, not a rate limit.
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &HeaderMap::new()),
            None
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let reset = (now + 60).to_string();
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ]);
        let wait = rate_limit_wait(StatusCode::FORBIDDEN, &h).unwrap().unwrap();
        assert!(
            (Duration::from_secs(59)..=Duration::from_secs(61)).contains(&wait),
            "{wait:?}"
        );
    }

    #[test]
    fn descriptions_are_cut_and_messages_read() {
        assert_eq!(shorten("short", 140), "short");
        let long = "é".repeat(200);
        let cut = shorten(&long, 140);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
        assert_eq!(
            api_message(
                r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#
            ),
            "Bad credentials"
        );
        assert_eq!(
            api_message("<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert!(is_commit_sha(&"a".repeat(40)) && is_commit_sha(&"0".repeat(64)));
        assert!(!is_commit_sha("../../orgs") && !is_commit_sha(&"g".repeat(40)));
    }
}
