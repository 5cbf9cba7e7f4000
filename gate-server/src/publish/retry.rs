//! When to try a failed delivery again: exponential backoff (1 s, 2 s, 4 s, … up to 5 minutes
//! for commit statuses), `Retry-After` when the receiver gives one, and a bounded number of
//! attempts. Pure: the outboxes (commit statuses, the weekly digest) apply the decision, each
//! with its own [`RetryPolicy`] and its own [`Retryable`] error.
//!
//! Commit statuses ([`RetryPolicy::default`]) are retried for a day: a forge down for an hour
//! (or a night) gets every latest status once it is back, at most 5 minutes later. The bound is
//! a number of attempts, chosen by [`RetryPolicy::spanning`] so that the backoff's waits add
//! up to 24 hours (297 attempts); a `Retry-After` longer than the backoff only stretches it.
//! A status given up stays in the outbox with `gave up after N attempt(s)` and its last error.

use std::time::Duration;

use super::PublishError;

/// A failed attempt, as far as retrying it is concerned.
pub trait Retryable {
    /// Whether the same request may succeed later.
    fn is_retryable(&self) -> bool;
    /// How long the receiver asked us to wait, if it did.
    fn retry_after(&self) -> Option<Duration>;
}

impl Retryable for PublishError {
    fn is_retryable(&self) -> bool {
        PublishError::is_retryable(self)
    }
    fn retry_after(&self) -> Option<Duration> {
        PublishError::retry_after(self)
    }
}

/// The retry schedule of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first failure; doubled after each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Attempts in all, the first included; then the status is given up.
    pub max_attempts: u32,
    /// The longest `Retry-After` honoured: a broken API asking for a day waits this long.
    pub max_retry_after: Duration,
}

/// How long commit statuses are retried.
const STATUS_SPAN: Duration = Duration::from_secs(24 * 3600);

impl Default for RetryPolicy {
    /// The commit statuses' schedule: 1 s doubling to 5 minutes, for 24 hours.
    fn default() -> RetryPolicy {
        RetryPolicy::spanning(
            Duration::from_secs(1),
            Duration::from_secs(300),
            STATUS_SPAN,
        )
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    RetryIn(Duration),
    /// Permanent failure, or out of attempts.
    GiveUp,
}

impl RetryPolicy {
    /// Backoff from `first_delay` doubling to `max_delay`, with the fewest attempts whose waits
    /// add up to `span` or more; `Retry-After` honoured up to an hour.
    pub fn spanning(first_delay: Duration, max_delay: Duration, span: Duration) -> RetryPolicy {
        let mut policy = RetryPolicy {
            first_delay,
            max_delay,
            max_attempts: 1,
            max_retry_after: Duration::from_secs(3600),
        };
        let mut waited = Duration::ZERO;
        // A zero delay would never add up: one attempt then, rather than a loop forever.
        while waited < span && !first_delay.is_zero() {
            waited = waited.saturating_add(policy.backoff(policy.max_attempts));
            policy.max_attempts += 1;
        }
        policy
    }

    /// The time from the first failure to giving up when every attempt fails without a
    /// `Retry-After`: the backoff's waits, `max_attempts - 1` of them.
    pub fn span(&self) -> Duration {
        (1..self.max_attempts).map(|n| self.backoff(n)).sum()
    }

    /// The backoff after `failures` failed attempts (1 or more): `first_delay` doubled
    /// `failures - 1` times, capped at `max_delay`.
    pub fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }

    /// `next` as the unix-millisecond time the delivery is due again after `now_ms`, or
    /// `parked` when it was given up.
    pub fn due_at(next: Next, now_ms: i64, parked: i64) -> i64 {
        match next {
            Next::RetryIn(wait) => {
                now_ms.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX))
            }
            Next::GiveUp => parked,
        }
    }

    /// The decision after attempt number `failures` (1-based) failed with `error`.
    pub fn after_failure(&self, failures: u32, error: &impl Retryable) -> Next {
        if !error.is_retryable() || failures >= self.max_attempts {
            return Next::GiveUp;
        }
        match error.retry_after() {
            Some(wait) => Next::RetryIn(wait.min(self.max_retry_after)),
            None => Next::RetryIn(self.backoff(failures)),
        }
    }
}
