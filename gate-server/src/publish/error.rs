//! [`PublishError`]: what went wrong with one attempt to post a status, and whether trying
//! again can help.

use std::time::Duration;

/// One failed attempt to post the status of a commit.
#[derive(Debug, thiserror::Error)]
#[error("failed to post the `{state}` status of {sha}: {kind}")]
pub struct PublishError {
    pub sha: String,
    pub state: String,
    pub kind: PublishErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishErrorKind {
    /// No answer: connection refused or reset, DNS, timeout. Retryable.
    #[error("{0}")]
    Network(String),
    /// 5xx: the API is having a bad moment. Retryable.
    #[error("the API answered {status}: {message}")]
    Unavailable { status: u16, message: String },
    /// 429, or 403 with an exhausted rate limit. Retryable, after `retry_after` if the API
    /// said how long to wait.
    #[error("rate limited (HTTP {status})")]
    RateLimited {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Any other 4xx (bad credentials, no access to the repository, validation failed): the
    /// same request will fail again.
    #[error("the API refused it with {status}: {message}")]
    Refused { status: u16, message: String },
    /// Not sent: the status itself is invalid (not a commit SHA, unknown state).
    #[error("{0}")]
    Invalid(String),
}

impl PublishError {
    /// Whether the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            PublishErrorKind::Network(_)
                | PublishErrorKind::Unavailable { .. }
                | PublishErrorKind::RateLimited { .. }
        )
    }

    /// Whether the API refused because of a rate limit (then every request would be).
    pub fn is_rate_limit(&self) -> bool {
        matches!(self.kind, PublishErrorKind::RateLimited { .. })
    }

    /// How long the API asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.kind {
            PublishErrorKind::RateLimited { retry_after, .. } => retry_after,
            _ => None,
        }
    }
}
