//! Per-version counters: requests, responses by class, connection and response errors, and a
//! latency histogram. Lock-free (atomics) because every request touches them; a snapshot turns
//! them into the API's plain data. Knows nothing of routing or HTTP serving.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::api;

/// Upper bounds of the latency buckets, milliseconds (a last `+Inf` bucket follows).
pub const BUCKETS_MS: [u64; 12] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

#[derive(Debug, Default)]
pub struct Counters {
    requests: AtomicU64,
    /// 1xx..5xx.
    responses: [AtomicU64; 5],
    connect_errors: AtomicU64,
    response_errors: AtomicU64,
    latency: Histogram,
}

impl Counters {
    pub fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The upstream answered with `status` after `latency`.
    pub fn response(&self, status: http::StatusCode, latency: Duration) {
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.responses[class].fetch_add(1, Ordering::Relaxed);
        self.latency.observe(latency);
    }

    pub fn connect_error(&self) {
        self.connect_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub fn response_error(&self) {
        self.response_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> api::Counters {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        api::Counters {
            requests: load(&self.requests),
            responses: api::Responses {
                informational: load(&self.responses[0]),
                success: load(&self.responses[1]),
                redirection: load(&self.responses[2]),
                client_error: load(&self.responses[3]),
                server_error: load(&self.responses[4]),
            },
            connect_errors: load(&self.connect_errors),
            response_errors: load(&self.response_errors),
            latency_ms: self.latency.snapshot(),
        }
    }
}

#[derive(Debug, Default)]
struct Histogram {
    /// Per bucket (not cumulative); the last is `+Inf`.
    counts: [AtomicU64; BUCKETS_MS.len() + 1],
    sum_us: AtomicU64,
}

impl Histogram {
    fn observe(&self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        // A bucket holds the observations at most its bound: 1,000 µs falls in `le=1`.
        let bucket = BUCKETS_MS
            .iter()
            .position(|&ms| us <= ms * 1000)
            .unwrap_or(BUCKETS_MS.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(us, Ordering::Relaxed);
    }

    fn snapshot(&self) -> api::Latency {
        let mut running = 0;
        let mut buckets = Vec::with_capacity(self.counts.len());
        for (i, count) in self.counts.iter().enumerate() {
            running += count.load(Ordering::Relaxed);
            let le = BUCKETS_MS
                .get(i)
                .map_or(api::Le::Inf, |&ms| api::Le::Ms(ms));
            buckets.push(api::Bucket(le, running));
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "a latency sum in ms needs no more than f64's 53 bits"
        )]
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1000.0;
        api::Latency {
            buckets,
            sum,
            count: running,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn buckets_are_cumulative_and_bounds_inclusive() {
        let c = Counters::default();
        for ms in [0, 1, 3, 7000] {
            c.response(StatusCode::OK, Duration::from_millis(ms));
        }
        let l = c.snapshot().latency_ms;
        assert_eq!(l.buckets[0], api::Bucket(api::Le::Ms(1), 2));
        assert_eq!(l.buckets[1], api::Bucket(api::Le::Ms(2), 2));
        assert_eq!(l.buckets[2], api::Bucket(api::Le::Ms(5), 3));
        assert_eq!(l.buckets[11], api::Bucket(api::Le::Ms(5000), 3));
        assert_eq!(l.buckets[12], api::Bucket(api::Le::Inf, 4));
        assert_eq!(l.count, 4);
        assert!((l.sum - 7004.0).abs() < 1e-9, "{}", l.sum);
    }

    #[test]
    fn responses_are_counted_by_class() {
        let c = Counters::default();
        for s in [101, 200, 204, 302, 404, 500, 503] {
            c.response(StatusCode::from_u16(s).expect("status"), Duration::ZERO);
        }
        c.request();
        c.connect_error();
        let s = c.snapshot();
        assert_eq!(
            s.responses,
            api::Responses {
                informational: 1,
                success: 2,
                redirection: 1,
                client_error: 1,
                server_error: 2
            }
        );
        assert_eq!((s.requests, s.connect_errors, s.response_errors), (1, 1, 0));
    }
}
