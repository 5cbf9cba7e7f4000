//! Commit statuses from verdict changes: every commit the store marks as changed gets its
//! current verdict queued in the status outbox, which the publisher ([`crate::publish`])
//! delivers. Driven by the event stream (at once) and by a sweep of the marks (after a
//! restart, a lagging receiver, or a change another server made), so no verdict is lost and
//! the service never waits for any of it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use crate::events::Event;
use crate::service::{Service, ServiceError};
use crate::store::{OutboxStatus, new_id, now_ms};
use crate::views;

/// Marks read at a time.
const BATCH: u32 = 100;
/// How often the marks are swept without an event.
const SWEEP: Duration = Duration::from_secs(5);

/// Queues statuses until `shutdown`. Without a publisher (`outbox` is `None`) the marks are
/// only cleared, so enabling one later does not post the history.
pub async fn run(service: Service, outbox: Option<Arc<Notify>>, shutdown: CancellationToken) {
    let mut events = service.events().subscribe();
    loop {
        if let Err(err) = drain(&service, outbox.as_deref()).await {
            tracing::warn!("cannot queue commit statuses: {err}");
        }
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(Event::VerdictChanged(_)) | Err(RecvError::Lagged(_)) => break,
                    Ok(_) => continue,
                    Err(RecvError::Closed) => return,
                },
                () = tokio::time::sleep(SWEEP) => break,
                () = shutdown.cancelled() => return,
            }
        }
    }
}

/// Queues the current status of every marked commit, and clears the marks it handled.
pub async fn drain(service: &Service, outbox: Option<&Notify>) -> Result<usize, ServiceError> {
    let mut queued = 0;
    loop {
        let changes = service.store().changed_commits(BATCH).await?;
        for change in &changes {
            if let Some(notify) = outbox {
                queue(service, &change.sha).await?;
                notify.notify_one();
                queued += 1;
            }
            service.store().clear_change(change).await?;
        }
        if changes.len() < BATCH as usize {
            return Ok(queued);
        }
    }
}

async fn queue(service: &Service, sha: &str) -> Result<(), ServiceError> {
    let verdict = match service.verdict(sha).await {
        Ok(verdict) => verdict,
        // A commit whose runs are gone has nothing to say.
        Err(ServiceError::NotFound(_)) => return Ok(()),
        Err(err) => return Err(err),
    };
    let public_url = &service.config().public_url;
    let entry = OutboxStatus {
        id: new_id(),
        sha: sha.to_string(),
        state: verdict.state,
        description: verdict.description,
        target_url: views::commit_url(public_url, sha),
        attempts: 0,
        next_attempt_at: now_ms(),
    };
    Ok(service.store().enqueue_status(&entry).await?)
}
