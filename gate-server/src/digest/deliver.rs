//! The digest delivery loop: sends the outbox's due rows through their channel, records each
//! outcome there (delivered; or one more attempt, the error and when to try again; or given
//! up), and so survives restarts. It sleeps until the next row is due or a new one is queued;
//! it does not poll. Due times, claims and sleeps are read on the [`Clock`] it is given (tests
//! simulate long outages).
//!
//! Several servers may share the database: a row is claimed (its next attempt moved past the
//! attempt's time limit) before it is sent, so only one of them sends it. A server that dies
//! mid-attempt leaves the row due again after the claim ends.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::DigestChannel;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::publish::{Next, RetryPolicy};
use crate::service::{DigestContent, Service};
use crate::store::{DigestRecord, GIVEN_UP};

/// Rows read at a time.
const BATCH: u32 = 20;
/// The longest sleep without a due row: a clock that jumped is noticed within this.
const IDLE: Duration = Duration::from_secs(3600);
/// A claim outlasts an attempt's time limit by this much.
const CLAIM_MARGIN: Duration = Duration::from_secs(60);

/// How a failed digest is retried: 1 s, 2 s, 4 s, … up to an hour, for about 12 hours in
/// all (24 attempts); then it is given up (and shown so on `/digests` and in the metrics).
pub const RETRY: RetryPolicy = RetryPolicy {
    first_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(3600),
    max_attempts: 24,
    max_retry_after: Duration::from_secs(3600),
};

/// The configured channels, by name.
pub type Channels = BTreeMap<&'static str, Box<dyn DigestChannel>>;

/// Sends due digests until `shutdown`.
pub async fn run(
    service: Service,
    channels: Channels,
    metrics: Arc<Metrics>,
    clock: Clock,
    shutdown: CancellationToken,
) {
    let store = service.store().clone();
    loop {
        // Registered before the store is read: a row queued meanwhile still wakes us.
        let queued = service.digests_queued().notified();
        match store.due_digests(clock.now_ms(), BATCH).await {
            Ok(due) => {
                for digest in &due {
                    tokio::select! {
                        () = deliver(&service, &channels, &metrics, &clock, digest) => {}
                        () = shutdown.cancelled() => return,
                    }
                }
                if due.len() >= BATCH as usize {
                    continue;
                }
            }
            Err(err) => tracing::warn!("cannot read the digest outbox: {err}"),
        }
        let wait = match store.next_digest_attempt().await {
            Ok(Some(at)) => Duration::from_millis(u64::try_from(at - clock.now_ms()).unwrap_or(0)),
            Ok(None) => IDLE,
            Err(err) => {
                tracing::warn!("cannot read the digest outbox: {err}");
                Duration::from_secs(5)
            }
        };
        tokio::select! {
            () = queued => {}
            () = clock.sleep(wait.min(IDLE)) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// One attempt at `digest`, if this server wins its claim, and the outcome recorded.
async fn deliver(
    service: &Service,
    channels: &Channels,
    metrics: &Metrics,
    clock: &Clock,
    digest: &DigestRecord,
) {
    let store = service.store();
    let Some(channel) = channels.get(digest.channel.as_str()) else {
        let error = format!(
            "the `{}` channel is not configured any more: add [digest.{}] to gate.toml and send again",
            digest.channel, digest.channel
        );
        record(service, metrics, clock, digest, Next::GiveUp, &error).await;
        return;
    };
    let claim = channel.timeout() + CLAIM_MARGIN;
    let until = clock.after_ms(claim);
    match store.claim_digest(digest, until).await {
        Ok(true) => {}
        Ok(false) => return, // another server has it
        Err(err) => {
            tracing::warn!(id = %digest.id, "cannot claim a digest: {err}");
            return;
        }
    }
    let content: DigestContent = match serde_json::from_str(&digest.content) {
        Ok(content) => content,
        Err(err) => {
            let error = format!("the stored digest cannot be read: {err}");
            record(service, metrics, clock, digest, Next::GiveUp, &error).await;
            return;
        }
    };
    match channel.send(&content).await {
        Ok(()) => {
            tracing::info!(id = %digest.id, channel = %digest.channel, "digest delivered");
            metrics.digest_delivery(&digest.channel, "delivered");
            if let Err(err) = store.digest_delivered(&digest.id).await {
                // Due again after the claim: sent twice rather than never.
                tracing::warn!(id = %digest.id, "cannot record a digest delivery: {err}");
            }
        }
        Err(err) => {
            let failures = digest.attempts + 1;
            let next = RETRY.after_failure(failures, &err);
            let error = match next {
                Next::GiveUp => format!("gave up after {failures} attempt(s): {err}"),
                Next::RetryIn(_) => err.to_string(),
            };
            record(service, metrics, clock, digest, next, &error).await;
        }
    }
}

/// A failed attempt: counted, with its error, due again or given up.
async fn record(
    service: &Service,
    metrics: &Metrics,
    clock: &Clock,
    digest: &DigestRecord,
    next: Next,
    error: &str,
) {
    let (channel, attempt) = (&digest.channel, digest.attempts + 1);
    match next {
        Next::RetryIn(wait) => {
            tracing::warn!(id = %digest.id, %channel, attempt, "{error}; retrying in {wait:?}");
            metrics.digest_delivery(channel, "failed");
        }
        Next::GiveUp => {
            tracing::error!(id = %digest.id, %channel, attempt, "{error}");
            metrics.digest_delivery(channel, "given_up");
        }
    }
    let at = RetryPolicy::due_at(next, clock.now_ms(), GIVEN_UP);
    if let Err(err) = service.store().digest_failed(&digest.id, at, error).await {
        tracing::warn!(id = %digest.id, "cannot record a failed digest attempt: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_retried_for_about_twelve_hours() {
        // 68 minutes of doubling up to an hour, then 11 hourly attempts.
        assert_eq!(RETRY.span(), Duration::from_secs(12 * 3600 + 8 * 60 + 15));
    }
}
