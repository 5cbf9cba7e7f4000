//! Staging parity on a schedule: the server compares the environments every `[parity] every`
//! (default 1 hour), counted from the last check any server on this database recorded, so a
//! restart or a second server does not check more often. The first check runs at start when
//! none is recent. Each result is kept (the service's `check_parity`) for the review.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::service::{ParityTrigger, Service};
use crate::store::now_ms;

/// After a failure to read or keep a result (the database is away), the next try.
const RETRY: Duration = Duration::from_secs(30);

/// Checks parity when due, until `shutdown`. Returns at once without `[parity]` naming both
/// environments.
pub async fn run(service: Service, shutdown: CancellationToken) {
    let Some(every) = service
        .config()
        .parity
        .as_ref()
        .filter(|p| p.staging.is_some() && p.production.is_some())
        .map(|p| p.every)
    else {
        return;
    };
    loop {
        let pause = match due_in(&service, every).await {
            Ok(Duration::ZERO) => match service.check_parity(ParityTrigger::Schedule).await {
                Ok(Some(record)) => {
                    tracing::info!(outcome = ?record.outcome, "{}", record.summary);
                    every
                }
                Ok(None) => return,
                Err(err) => {
                    tracing::warn!("cannot keep the staging parity result: {err}");
                    RETRY
                }
            },
            Ok(left) => left,
            Err(err) => {
                tracing::warn!("cannot read the last staging parity result: {err}");
                RETRY
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// How long until the next check: zero when none was recorded within `every`.
async fn due_in(
    service: &Service,
    every: Duration,
) -> Result<Duration, crate::service::ServiceError> {
    let Some(last) = service.last_parity().await? else {
        return Ok(Duration::ZERO);
    };
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
    let left = last.checked_at_ms.saturating_add(every_ms) - now_ms();
    Ok(Duration::from_millis(u64::try_from(left).unwrap_or(0)))
}
