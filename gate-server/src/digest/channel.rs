//! [`DigestChannel`]: one way a digest goes out (e-mail, a Slack webhook): one attempt to send
//! one composed digest. Drivers know nothing of the outbox, retries or the schedule.

use std::time::Duration;

use futures::future::BoxFuture;

use crate::publish::Retryable;
use crate::service::DigestContent;

pub trait DigestChannel: Send + Sync {
    /// `email` or `slack`: the outbox row's `channel`.
    fn name(&self) -> &'static str;

    /// One attempt, bounded by the channel's timeout.
    fn send<'a>(&'a self, content: &'a DigestContent) -> BoxFuture<'a, Result<(), SendError>>;

    /// The longest one attempt can take: an attempt's claim on a row outlasts it.
    fn timeout(&self) -> Duration;
}

/// A failed attempt. The message is safe to store and show: no password, no webhook URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    /// Whether the same digest may go through later (a server down, a timeout, a 5xx).
    pub retryable: bool,
    /// How long the receiver asked us to wait (HTTP 429 `Retry-After`).
    pub retry_after: Option<Duration>,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            retryable: true,
            retry_after: None,
        }
    }

    pub fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            retryable: false,
            retry_after: None,
        }
    }
}

impl Retryable for SendError {
    fn is_retryable(&self) -> bool {
        self.retryable
    }
    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}
