//! [`Clock`]: the time the delivery loops (commit statuses, digests) read and wait on: when a
//! row is due, when to try it again, how long to sleep. The real clock in `gate serve`; a
//! simulated one in tests, where a sleep moves the time on at once, so an outage of an hour
//! passes in seconds while every due-time comparison of the loops reads the simulated time.
//!
//! Only the loops' own waits use it. Time limits on external calls (HTTP, SMTP, the database)
//! stay on tokio's real timers: a receiver that hangs still costs real seconds, and a slow
//! query is never mistaken for an expired one. The digest scheduler has its own
//! [`crate::digest::DigestClock`] (a start instant, for tests that cannot wait for Monday).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::store::now_ms;

/// Cheap to clone; clones of a simulated clock share its time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Milliseconds added to the real time: `None` for the real clock.
    offset_ms: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's time and tokio's timers.
    pub fn real() -> Clock {
        Clock::default()
    }

    /// A clock that reads the real time plus everything slept on it so far: it never runs
    /// slower than the real one, and `sleep(d)` moves it (for every clone) `d` ahead and
    /// returns after a yield. Several tasks sleeping on it each move it on: a sleep lasts at
    /// least its duration, as a real one does.
    pub fn simulated() -> Clock {
        Clock {
            offset_ms: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    /// Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let offset = self
            .offset_ms
            .as_ref()
            .map_or(0, |o| o.load(Ordering::SeqCst));
        now_ms().saturating_add(offset)
    }

    /// Waits `duration` on this clock.
    pub async fn sleep(&self, duration: Duration) {
        match &self.offset_ms {
            None => tokio::time::sleep(duration).await,
            Some(offset) => {
                let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
                // Saturating: a loop asked to wait "forever" does not wrap the clock around.
                let _ = offset.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                    Some(o.saturating_add(ms))
                });
                tokio::task::yield_now().await;
            }
        }
    }

    /// `now_ms()` plus `duration`, saturating.
    pub fn after_ms(&self, duration: Duration) -> i64 {
        let ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        self.now_ms().saturating_add(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_simulated_sleep_moves_every_clone_on_at_once() {
        let clock = Clock::simulated();
        let other = clock.clone();
        let before = clock.now_ms();
        let started = std::time::Instant::now();
        clock.sleep(Duration::from_secs(3600)).await;
        assert!(started.elapsed() < Duration::from_secs(5), "no real hour");
        let after = other.now_ms();
        assert!(after - before >= 3_600_000, "{}", after - before);
        assert!(after >= now_ms() + 3_599_000, "ahead of the real time");
        other.sleep(Duration::MAX).await;
        assert_eq!(clock.now_ms(), i64::MAX, "saturates");
    }

    #[tokio::test]
    async fn the_real_clock_reads_the_system_time() {
        let clock = Clock::real();
        let (before, read, after) = (now_ms(), clock.now_ms(), now_ms());
        assert!(before <= read && read <= after);
        let started = tokio::time::Instant::now();
        clock.sleep(Duration::from_millis(20)).await;
        assert!(started.elapsed() >= Duration::from_millis(20));
    }
}
