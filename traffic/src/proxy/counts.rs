//! `gate proxy`'s state as a [`Sample`]: which counters make up requests and errors, and the
//! latency histogram in [`LatencyHistogram`]'s form. Pure: no I/O.
//!
//! Requests are the proxy's `requests`; errors are its `5xx` answers plus its
//! `connect_errors` (the proxy answers those requests itself, so they never reach a status
//! class of the version).

use crate::error::RouterErrorKind;
use crate::sample::{Fallback, LatencyHistogram, Sample, VersionCounts};

use super::wire::{Histogram, ProxyState, UpperBound, VersionState};

/// The sample for `stable` and `canary`, or the kind and detail of why there is none.
pub fn sample(
    state: &ProxyState,
    stable: &str,
    canary: Option<&str>,
) -> Result<Sample, (RouterErrorKind, String)> {
    let counts = |name: &str| -> Result<VersionCounts, (RouterErrorKind, String)> {
        let version = find(state, name)?;
        Ok(VersionCounts {
            requests: version.counters.requests,
            errors: version
                .counters
                .responses
                .server_error
                .saturating_add(version.counters.connect_errors),
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

fn find<'s>(
    state: &'s ProxyState,
    name: &str,
) -> Result<&'s VersionState, (RouterErrorKind, String)> {
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
fn histogram(wire: &Histogram) -> Result<LatencyHistogram, String> {
    let Some(((UpperBound::Inf, _), finite)) = wire.buckets.split_last() else {
        return Err("does not end with a \"+Inf\" bucket".into());
    };
    let mut bounds_ms = Vec::with_capacity(finite.len());
    for (bound, _) in finite {
        match bound {
            UpperBound::Ms(ms) if bounds_ms.last().is_none_or(|last| ms > last) => {
                bounds_ms.push(*ms)
            }
            UpperBound::Ms(ms) => return Err(format!("has bound {ms} out of order")),
            UpperBound::Inf => return Err("has \"+Inf\" before its last bucket".into()),
        }
    }
    let cumulative: Vec<u64> = wire.buckets.iter().map(|(_, n)| *n).collect();
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
    use super::super::wire::{Counters, FallbackRecord, ResponseClasses, WatchdogState};
    use super::*;

    fn version(name: &str, requests: u64, s5xx: u64, connect_errors: u64) -> VersionState {
        VersionState {
            name: name.into(),
            url: "http://127.0.0.1:1".into(),
            weight: 50,
            counters: Counters {
                requests,
                responses: ResponseClasses {
                    success: requests - s5xx - connect_errors,
                    server_error: s5xx,
                    ..ResponseClasses::default()
                },
                connect_errors,
                latency_ms: Histogram {
                    buckets: vec![
                        (UpperBound::Ms(10.0), requests / 2),
                        (UpperBound::Ms(20.0), requests),
                        (UpperBound::Inf, requests),
                    ],
                    sum: 0.0,
                },
            },
        }
    }

    fn state() -> ProxyState {
        ProxyState {
            instance: "i-1".into(),
            started_at_ms: 0,
            stable: "v1".into(),
            versions: vec![version("v1", 100, 1, 0), version("v2", 20, 2, 3)],
            watchdog: WatchdogState::default(),
            fallbacks: vec![FallbackRecord {
                at_ms: 5,
                to: "v1".into(),
                reason: "no heartbeat for 5000 ms".into(),
            }],
        }
    }

    #[test]
    fn errors_are_5xx_plus_connect_errors() {
        let sample = sample(&state(), "v1", Some("v2")).unwrap();
        assert_eq!((sample.stable.requests, sample.stable.errors), (100, 1));
        assert_eq!((sample.canary.requests, sample.canary.errors), (20, 5));
        assert_eq!(sample.canary.latency_p95_ms(), Some(19.0));
        assert_eq!(sample.fallbacks[0].reason, "no heartbeat for 5000 ms");
        assert_eq!(sample.instance, "i-1");
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
    }
}
