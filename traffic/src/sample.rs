//! What a router reports about the traffic it routed: [`Sample`] (cumulative, per version),
//! and [`Interval`] (the difference of two samples, which is what canary analysis judges).
//!
//! Plain data and arithmetic only: no I/O, no judgement of what the numbers mean.

use serde::{Deserialize, Serialize};

/// Cumulative counters of one version since `instance` began.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionCounts {
    /// Requests the router sent to the version, answered or not.
    pub requests: u64,
    /// Of those, the ones that failed: 5xx answers, connections that could not be made, and
    /// answers the version never finished. Each driver documents its exact mapping.
    pub errors: u64,
    /// Response times, when the router measures them per request. `None` when it does not
    /// (HAProxy: see [`crate::haproxy`]).
    pub latency: Option<LatencyHistogram>,
}

impl VersionCounts {
    /// The 95th percentile response time in milliseconds over the requests these counts
    /// cover (over an [`Interval`], that is the interval's p95). `None` without a histogram
    /// or without requests.
    pub fn latency_p95_ms(&self) -> Option<f64> {
        self.latency.as_ref()?.quantile_ms(0.95)
    }

    /// What happened between `earlier` and `self`. `None` when a counter went down (the
    /// counters were reset: compare [`Sample::instance`] first).
    pub fn since(&self, earlier: &VersionCounts) -> Option<VersionCounts> {
        let latency = match (&self.latency, &earlier.latency) {
            (Some(now), Some(then)) => Some(now.since(then)?),
            _ => None,
        };
        Some(VersionCounts {
            requests: self.requests.checked_sub(earlier.requests)?,
            errors: self.errors.checked_sub(earlier.errors)?,
            latency,
        })
    }
}

/// A latency histogram in the Prometheus style: `cumulative[i]` requests took at most
/// `bounds_ms[i]` milliseconds, and the last entry of `cumulative` (one more than there are
/// bounds, for `+Inf`) counts every request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyHistogram {
    /// Finite upper bounds in milliseconds, increasing.
    pub bounds_ms: Vec<f64>,
    /// Cumulative counts, `bounds_ms.len() + 1` of them (the last one is the `+Inf` bucket).
    pub cumulative: Vec<u64>,
    /// The sum of all response times in milliseconds.
    pub sum_ms: f64,
}

impl LatencyHistogram {
    /// How many requests the histogram counts.
    pub fn count(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// The `q` quantile (0 < q ≤ 1) in milliseconds, by linear interpolation inside the bucket
    /// it falls in (the first bucket starts at 0 ms). A quantile in the `+Inf` bucket is
    /// reported as the largest finite bound, as Prometheus does: "at least that". `None`
    /// when the histogram counts nothing or is malformed.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.cumulative.len() != self.bounds_ms.len() + 1 || !(q > 0.0 && q <= 1.0) {
            return None;
        }
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = q * total as f64;
        let mut below = 0u64;
        let mut lower_ms = 0.0;
        for (i, &upto) in self.cumulative.iter().enumerate() {
            let Some(&upper_ms) = self.bounds_ms.get(i) else {
                return self.bounds_ms.last().copied();
            };
            if upto as f64 >= rank {
                let in_bucket = upto.saturating_sub(below);
                if in_bucket == 0 {
                    return Some(lower_ms);
                }
                let fraction = (rank - below as f64) / in_bucket as f64;
                return Some(lower_ms + (upper_ms - lower_ms) * fraction);
            }
            below = upto;
            lower_ms = upper_ms;
        }
        None
    }

    /// The requests counted after `earlier`. `None` if the bounds differ or a count went down.
    pub fn since(&self, earlier: &LatencyHistogram) -> Option<LatencyHistogram> {
        if self.bounds_ms != earlier.bounds_ms || self.cumulative.len() != earlier.cumulative.len()
        {
            return None;
        }
        let cumulative = self
            .cumulative
            .iter()
            .zip(&earlier.cumulative)
            .map(|(now, then)| now.checked_sub(*then))
            .collect::<Option<Vec<u64>>>()?;
        Some(LatencyHistogram {
            bounds_ms: self.bounds_ms.clone(),
            cumulative,
            sum_ms: (self.sum_ms - earlier.sum_ms).max(0.0),
        })
    }
}

/// A router moving all traffic to stable on its own (its watchdog fired, or it found the
/// canary unusable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fallback {
    /// When, in milliseconds since the Unix epoch (the router's clock).
    pub at_ms: u64,
    /// The version all traffic went to.
    pub to: String,
    /// Why, in the router's words.
    pub reason: String,
}

/// One reading of a router's counters. Counters are cumulative since `instance` began: the
/// controller keeps the previous sample and takes [`Sample::since`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Which run of counters these are. It changes when the counters start again from zero or
    /// from something else: the router restarted, or (HAProxy) a version moved into a slot
    /// that held another. Samples with different instances cannot be subtracted.
    pub instance: String,
    pub stable: VersionCounts,
    /// Empty when no canary was asked for.
    pub canary: VersionCounts,
    /// Fallbacks the router recorded during this instance, oldest first. Always empty for
    /// routers without a watchdog.
    pub fallbacks: Vec<Fallback>,
}

/// What happened between two samples of one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub stable: VersionCounts,
    pub canary: VersionCounts,
    /// Fallbacks recorded after the earlier sample's last one.
    pub fallbacks: Vec<Fallback>,
}

impl Sample {
    /// The traffic between `earlier` and `self`. `None` when the two belong to different
    /// instances or a counter went down: the counters were reset, and the controller should
    /// take `self` as its new baseline rather than guess.
    pub fn since(&self, earlier: &Sample) -> Option<Interval> {
        if self.instance != earlier.instance {
            return None;
        }
        let seen = earlier.fallbacks.last().map(|f| f.at_ms);
        Some(Interval {
            stable: self.stable.since(&earlier.stable)?,
            canary: self.canary.since(&earlier.canary)?,
            fallbacks: self
                .fallbacks
                .iter()
                .filter(|f| seen.is_none_or(|at| f.at_ms > at))
                .cloned()
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The proxy's bounds: 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000 ms.
    fn histogram(cumulative: &[u64]) -> LatencyHistogram {
        LatencyHistogram {
            bounds_ms: vec![
                1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
            ],
            cumulative: cumulative.to_vec(),
            sum_ms: 0.0,
        }
    }

    #[test]
    fn p95_interpolates_inside_its_bucket() {
        // 100 requests: 80 within 10 ms, 20 more within 25 ms. Rank 95 is the 15th of the 20
        // in (10, 25]: 10 + 15 * 15/20 = 21.25.
        let h = histogram(&[0, 0, 0, 80, 100, 100, 100, 100, 100, 100, 100, 100, 100]);
        assert_eq!(h.quantile_ms(0.95), Some(21.25));
        // In the first bucket, from 0 ms.
        let h = histogram(&[
            100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,
        ]);
        assert_eq!(h.quantile_ms(0.95), Some(0.95));
    }

    #[test]
    fn p95_in_the_open_bucket_is_the_largest_bound() {
        let h = histogram(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 100]);
        assert_eq!(h.quantile_ms(0.95), Some(5000.0));
    }

    #[test]
    fn no_requests_or_a_malformed_histogram_give_no_p95() {
        assert_eq!(histogram(&[0; 13]).quantile_ms(0.95), None);
        assert_eq!(histogram(&[1, 2]).quantile_ms(0.95), None);
    }

    #[test]
    fn interval_p95_comes_from_the_difference_of_histograms() {
        // Before: 100 fast requests. After: 100 more, all slow (in (100, 250]).
        let before = VersionCounts {
            requests: 100,
            errors: 1,
            latency: Some(histogram(&[100; 13])),
        };
        let after = VersionCounts {
            requests: 200,
            errors: 4,
            latency: Some(histogram(&[
                100, 100, 100, 100, 100, 100, 100, 200, 200, 200, 200, 200, 200,
            ])),
        };
        let delta = after.since(&before).unwrap();
        assert_eq!((delta.requests, delta.errors), (100, 3));
        assert_eq!(delta.latency_p95_ms(), Some(100.0 + 150.0 * 0.95));
    }

    fn sample(instance: &str, stable: u64, canary: u64, fallbacks: &[u64]) -> Sample {
        let counts = |requests| VersionCounts {
            requests,
            errors: 0,
            latency: None,
        };
        Sample {
            instance: instance.into(),
            stable: counts(stable),
            canary: counts(canary),
            fallbacks: fallbacks
                .iter()
                .map(|&at_ms| Fallback {
                    at_ms,
                    to: "v1".into(),
                    reason: "watchdog".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn samples_of_different_instances_or_reset_counters_do_not_subtract() {
        let first = sample("i1", 10, 5, &[]);
        assert_eq!(sample("i2", 20, 6, &[]).since(&first), None);
        assert_eq!(sample("i1", 9, 6, &[]).since(&first), None);
        let interval = sample("i1", 20, 6, &[]).since(&first).unwrap();
        assert_eq!(
            (interval.stable.requests, interval.canary.requests),
            (10, 1)
        );
    }

    #[test]
    fn an_interval_lists_only_the_new_fallbacks() {
        let first = sample("i1", 10, 5, &[100]);
        let interval = sample("i1", 10, 5, &[100, 200]).since(&first).unwrap();
        assert_eq!(
            interval
                .fallbacks
                .iter()
                .map(|f| f.at_ms)
                .collect::<Vec<_>>(),
            [200]
        );
    }
}
