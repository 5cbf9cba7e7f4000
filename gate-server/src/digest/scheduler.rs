//! The digest scheduler: at start, the latest week whose digest came due is queued unless it
//! is already (so a digest missed while the server was down goes out once, and only the
//! latest one); then it sleeps until the next due time and queues that week. Queueing is
//! idempotent per week and channel, so restarts and other servers do not repeat it.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::service::{Service, ServiceError};

/// The longest sleep: a clock that jumped (a suspended machine) is noticed within this.
const MAX_SLEEP: Duration = Duration::from_secs(3600);
/// After a failure to queue (the database is away), the next try.
const RETRY: Duration = Duration::from_secs(30);

/// Queues the latest week whose digest is due, unless it is queued already. The server calls
/// it once before it serves, so what a start catches up on is queued when it answers.
pub async fn queue_latest(service: &Service) -> Result<(), ServiceError> {
    let Some(config) = &service.config().digest else {
        return Ok(());
    };
    let week = config
        .schedule
        .latest(service.digest_clock().now(), &config.time_zone);
    let queued = service.queue_due_digest(week).await?;
    if !queued.is_empty() {
        tracing::info!(since = %week.since, until = %week.until, "weekly digest queued");
    }
    Ok(())
}

/// Queues each week's digest when it comes due, until `shutdown`.
pub async fn run(service: Service, shutdown: CancellationToken) {
    let Some(config) = service.config().digest.clone() else {
        return;
    };
    let clock = service.digest_clock();
    loop {
        let pause = match queue_latest(&service).await {
            Ok(()) => {
                let now = clock.now();
                let next = config.schedule.next_after(now, &config.time_zone);
                let left = next.as_millisecond() - now.as_millisecond();
                Duration::from_millis(u64::try_from(left).unwrap_or(0)).min(MAX_SLEEP)
            }
            Err(err) => {
                tracing::warn!("cannot queue the weekly digest: {err}");
                RETRY
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = shutdown.cancelled() => return,
        }
    }
}
