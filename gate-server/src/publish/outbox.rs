//! The delivery loop: posts the statuses the store's outbox holds when they are due, records
//! each outcome there, and so survives restarts (an undelivered status is posted after one).
//! Due times and waits are read on the [`Clock`] it is given (tests simulate long outages).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Publisher;
use super::retry::Next;
use crate::clock::Clock;
use crate::store::{OutboxStatus, Store};

/// Statuses read from the outbox at a time.
const BATCH: u32 = 20;
/// How often the outbox is looked at without a notification (retries come due this way).
const POLL: Duration = Duration::from_secs(1);
/// `next_attempt_at` of a status given up: never due again, kept with its last error.
const PARKED: i64 = i64::MAX;

/// Posts due statuses until `shutdown`: at once when `notify` says one was queued, and every
/// second (on `clock`) for retries. A status being posted at shutdown stays due and is posted
/// after the next start (a status repeated is harmless: the latest one counts).
pub async fn run_outbox(
    publisher: Publisher,
    store: Store,
    notify: Arc<Notify>,
    clock: Clock,
    shutdown: CancellationToken,
) {
    loop {
        let mut pause = Pause::Poll;
        match store.due_statuses(clock.now_ms(), BATCH).await {
            Ok(due) => {
                let full = due.len() >= BATCH as usize;
                let mut all_recorded = true;
                for status in &due {
                    let delivery = tokio::select! {
                        delivery = deliver(&publisher, &store, &clock, status) => delivery,
                        () = shutdown.cancelled() => return,
                    };
                    match delivery {
                        Delivery::Recorded => {}
                        Delivery::Unrecorded => all_recorded = false,
                        Delivery::RateLimited(wait) => {
                            // The others would be refused too: leave them due, and wait.
                            pause = Pause::RateLimited(wait);
                            break;
                        }
                    }
                }
                if full && all_recorded && pause == Pause::Poll {
                    continue; // a backlog: the next batch at once
                }
            }
            Err(err) => tracing::warn!("cannot read the commit-status outbox: {err}"),
        }
        match pause {
            Pause::Poll => tokio::select! {
                () = notify.notified() => {}
                () = clock.sleep(POLL) => {}
                () = shutdown.cancelled() => return,
            },
            // New statuses do not lift a rate limit.
            Pause::RateLimited(wait) => tokio::select! {
                () = clock.sleep(wait) => {}
                () = shutdown.cancelled() => return,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pause {
    Poll,
    RateLimited(Duration),
}

enum Delivery {
    /// Posted, retried later or given up; the outbox knows.
    Recorded,
    /// The outcome could not be written to the store: the status is due again.
    Unrecorded,
    /// The API rate-limits; the status is retried after this wait.
    RateLimited(Duration),
}

/// One attempt at `status`, and its outcome recorded in the outbox.
async fn deliver(
    publisher: &Publisher,
    store: &Store,
    clock: &Clock,
    status: &OutboxStatus,
) -> Delivery {
    let failures = status.attempts + 1;
    let posted = publisher
        .post(
            &status.sha,
            status.state,
            &status.description,
            &status.target_url,
        )
        .await;
    let mut delivery = Delivery::Recorded;
    let recorded = match posted {
        Ok(()) => {
            tracing::debug!(sha = %status.sha, state = %status.state, "commit status posted");
            store.status_delivered(&status.id).await
        }
        Err(err) => match publisher.retry_policy().after_failure(failures, &err) {
            Next::RetryIn(wait) => {
                tracing::warn!(sha = %status.sha, attempt = failures, "{err}; retrying in {wait:?}");
                if err.is_rate_limit() {
                    delivery = Delivery::RateLimited(wait);
                }
                store
                    .status_failed(&status.id, clock.after_ms(wait), &err.to_string())
                    .await
            }
            Next::GiveUp => {
                tracing::error!(sha = %status.sha, attempt = failures, "{err}; giving up on this status");
                let error = format!("gave up after {failures} attempt(s): {err}");
                store.status_failed(&status.id, PARKED, &error).await
            }
        },
    };
    match recorded {
        Ok(()) => delivery,
        Err(err) => {
            tracing::warn!(sha = %status.sha, "cannot record the commit status delivery: {err}");
            Delivery::Unrecorded
        }
    }
}
