//! `gate proxy`'s state as a [`Sample`]: which counters make up requests and errors, and the
//! latency histogram in [`LatencyHistogram`]'s form. Pure: no I/O.
//!
//! Each request that reaches the proxy for a version ends as exactly one of: a response the
//! version sent (counted in its status class, `1xx`..`5xx`), a connection error (the version
//! refused or failed the connection, or did not connect in time: the proxy answered 502
//! itself) or a response error (connected, but the version failed or sent no headers in time:
//! the proxy answered 502 or 504 itself). The proxy's own answers are in no status class.
//!
//! - requests = `requests`. The proxy counts it as a request arrives, before it is forwarded
//!   (`Forwarder::handle` in `gate-proxy`), so it already includes the requests that end in
//!   a connection or response error, and those still in flight. Nothing is added to it.
//! - errors = `5xx` + `connect_errors` + `response_errors`: every request that did not get an
//!   answer of the version's below 500.
//! - latency: `latency_ms`, which times only the responses the version sent.

use crate::error::RouterErrorKind;
use crate::sample::{Fallback, LatencyHistogram, Sample, VersionCounts};

use super::api::{Bucket, Counters, Latency, Le, State, VersionState};

/// The requests and errors `counters` amount to (see the module's doc), without the latency.
fn requests_and_errors(counters: &Counters) -> (u64, u64) {
    let errors = counters
        .responses
        .server_error
        .saturating_add(counters.connect_errors)
        .saturating_add(counters.response_errors);
    (counters.requests, errors)
}

/// The sample for `stable` and `canary`, or the kind and detail of why there is none.
pub fn sample(
    state: &State,
    stable: &str,
    canary: Option<&str>,
) -> Result<Sample, (RouterErrorKind, String)> {
    let counts = |name: &str| -> Result<VersionCounts, (RouterErrorKind, String)> {
        let version = find(state, name)?;
        let (requests, errors) = requests_and_errors(&version.counters);
        Ok(VersionCounts {
            requests,
            errors,
            latency: Some(histogram(&version.counters.latency_ms).map_err(|e| {
                (
                    RouterErrorKind::BadAnswer,
                    format!("version `{name}`'s latency histogram {e}"),
                )
            })?),
        })
    };
    Ok(Sample {
        instance: state.instance.clone(),
        stable: counts(stable)?,
        canary: canary.map(counts).transpose()?.unwrap_or_default(),
        fallbacks: state
            .fallbacks
            .iter()
            .map(|f| Fallback {
                at_ms: f.at_ms,
                to: f.to.clone(),
                reason: f.reason.clone(),
            })
            .collect(),
    })
}

fn find<'s>(state: &'s State, name: &str) -> Result<&'s VersionState, (RouterErrorKind, String)> {
    state
        .versions
        .iter()
        .find(|v| v.name == name)
        .ok_or_else(|| {
            let routed: Vec<&str> = state.versions.iter().map(|v| v.name.as_str()).collect();
            let mut detail = format!(
                "the proxy routes no version `{name}` (it routes {}): route it first",
                if routed.is_empty() {
                    "none".to_string()
                } else {
                    routed.join(", ")
                }
            );
            if let Some(last) = state.fallbacks.last() {
                detail.push_str(&format!(
                    "; its last fallback went to `{}` at {} ms: {}",
                    last.to, last.at_ms, last.reason
                ));
            }
            (RouterErrorKind::NotRouted, detail)
        })
}

/// The proxy's `[[bound, count], …, ["+Inf", count]]` as bounds and cumulative counts.
fn histogram(wire: &Latency) -> Result<LatencyHistogram, String> {
    let Some((Bucket(Le::Inf, _), finite)) = wire.buckets.split_last() else {
        return Err("does not end with a \"+Inf\" bucket".into());
    };
    let mut bounds_ms: Vec<u64> = Vec::with_capacity(finite.len());
    for Bucket(bound, _) in finite {
        match *bound {
            Le::Ms(ms) if bounds_ms.last().is_none_or(|&last| ms > last) => bounds_ms.push(ms),
            Le::Ms(ms) => return Err(format!("has bound {ms} out of order")),
            Le::Inf => return Err("has \"+Inf\" before its last bucket".into()),
        }
    }
    let bounds_ms = bounds_ms.into_iter().map(|ms| ms as f64).collect();
    let cumulative: Vec<u64> = wire.buckets.iter().map(|Bucket(_, n)| *n).collect();
    if cumulative.windows(2).any(|w| w[1] < w[0]) {
        return Err("is not cumulative (a count goes down)".into());
    }
    Ok(LatencyHistogram {
        bounds_ms,
        cumulative,
        sum_ms: wire.sum,
    })
}

#[cfg(test)]
mod tests {
    use super::super::api::{Fallback as ApiFallback, Responses, Watchdog};
    use super::*;

    /// Counters as the proxy keeps them: `requests` counts every request, whatever it ended
    /// as; `2xx` is what is left after the failures.
    fn counters(requests: u64, s5xx: u64, connect_errors: u64, response_errors: u64) -> Counters {
        let answered = requests - connect_errors - response_errors;
        Counters {
            requests,
            responses: Responses {
                success: answered - s5xx,
                server_error: s5xx,
                ..Responses::default()
            },
            connect_errors,
            response_errors,
            latency_ms: Latency {
                buckets: vec![
                    Bucket(Le::Ms(10), answered / 2),
                    Bucket(Le::Ms(20), answered),
                    Bucket(Le::Inf, answered),
                ],
                sum: 0.0,
                count: answered,
            },
        }
    }

    fn version(name: &str, counters: Counters) -> VersionState {
        VersionState {
            name: name.into(),
            url: "http://127.0.0.1:1".into(),
            weight: 50,
            counters,
        }
    }

    fn state() -> State {
        State {
            instance: "i-1".into(),
            started_at_ms: 0,
            stable: "v1".into(),
            versions: vec![
                version("v1", counters(100, 1, 0, 0)),
                version("v2", counters(40, 2, 3, 4)),
            ],
            watchdog: Watchdog {
                armed: false,
                timeout_ms: None,
                since_heartbeat_ms: None,
            },
            fallbacks: vec![ApiFallback {
                at_ms: 5,
                to: "v1".into(),
                reason: "no heartbeat for 5000 ms".into(),
            }],
        }
    }

    #[test]
    fn errors_are_5xx_connect_and_response_errors_and_requests_are_not_counted_twice() {
        // 40 requests: 31 answered 2xx, 2 answered 5xx, 3 never connected, 4 connected but
        // got no answer. All 40 are in `requests` already.
        assert_eq!(requests_and_errors(&counters(40, 2, 3, 4)), (40, 9));
        assert_eq!(requests_and_errors(&counters(10, 0, 0, 10)), (10, 10));
        assert_eq!(requests_and_errors(&counters(10, 0, 10, 0)), (10, 10));
        assert_eq!(requests_and_errors(&counters(10, 0, 0, 0)), (10, 0));

        let sample = sample(&state(), "v1", Some("v2")).unwrap();
        assert_eq!((sample.stable.requests, sample.stable.errors), (100, 1));
        assert_eq!((sample.canary.requests, sample.canary.errors), (40, 9));
        assert_eq!(sample.fallbacks[0].reason, "no heartbeat for 5000 ms");
        assert_eq!(sample.instance, "i-1");
    }

    #[test]
    fn latency_is_the_proxys_histogram_with_its_bounds() {
        let sample = sample(&state(), "v1", Some("v2")).unwrap();
        let latency = sample.canary.latency.clone().unwrap();
        assert_eq!(latency.bounds_ms, [10.0, 20.0]);
        assert_eq!(latency.cumulative, [16, 33, 33]);
        // Rank 31.35 of 33 is the 14.35th of the 17 in (10, 20].
        let p95 = sample.canary.latency_p95_ms().unwrap();
        assert!((p95 - (10.0 + 10.0 * 15.35 / 17.0)).abs() < 1e-9, "{p95}");
    }

    #[test]
    fn a_version_the_proxy_does_not_route_says_what_it_routes_and_why() {
        let (kind, detail) = sample(&state(), "v1", Some("v3")).unwrap_err();
        assert_eq!(kind, RouterErrorKind::NotRouted);
        assert!(
            detail.contains("no version `v3` (it routes v1, v2)"),
            "{detail}"
        );
        assert!(detail.contains("no heartbeat for 5000 ms"), "{detail}");
    }

    #[test]
    fn no_canary_leaves_its_counts_empty() {
        let sample = sample(&state(), "v1", None).unwrap();
        assert_eq!(sample.canary, VersionCounts::default());
    }

    #[test]
    fn a_malformed_histogram_is_a_bad_answer() {
        let mut state = state();
        state.versions[0].counters.latency_ms.buckets.pop();
        let (kind, detail) = sample(&state, "v1", None).unwrap_err();
        assert_eq!(kind, RouterErrorKind::BadAnswer);
        assert!(detail.contains("\"+Inf\""), "{detail}");

        let mut state = self::state();
        state.versions[0].counters.latency_ms.buckets[1].0 = Le::Ms(5);
        let (_, detail) = sample(&state, "v1", None).unwrap_err();
        assert!(detail.contains("bound 5 out of order"), "{detail}");
    }
}
