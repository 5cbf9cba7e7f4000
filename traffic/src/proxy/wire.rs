//! The JSON of `gate proxy`'s admin API, field for field. The proxy crate defines the same
//! types; keep the names identical until the two are merged into one definition.
//!
//! Answers are read leniently (unknown fields ignored, absent watchdog details allowed) so a
//! newer proxy that adds fields still works with this client.
//!
//! - `GET /api/state` → [`ProxyState`]
//! - `PUT /api/routes` ← [`RoutesRequest`] (422 → [`ApiError`])
//! - `POST /api/heartbeat` ← [`HeartbeatRequest`]; `DELETE /api/heartbeat` disarms.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `GET /api/state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProxyState {
    /// Changes when the proxy restarts (its counters start again from zero).
    pub instance: String,
    pub started_at_ms: u64,
    /// The name of the stable version.
    pub stable: String,
    pub versions: Vec<VersionState>,
    pub watchdog: WatchdogState,
    #[serde(default)]
    pub fallbacks: Vec<FallbackRecord>,
}

/// One version in the proxy's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionState {
    pub name: String,
    pub url: String,
    /// Percent of new requests (the table's weights sum to 100).
    pub weight: u8,
    pub counters: Counters,
}

/// A version's cumulative counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    pub requests: u64,
    pub responses: ResponseClasses,
    /// Requests whose connection to the version could not be made.
    pub connect_errors: u64,
    pub latency_ms: Histogram,
}

/// Answers by status class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseClasses {
    #[serde(rename = "1xx")]
    pub informational: u64,
    #[serde(rename = "2xx")]
    pub success: u64,
    #[serde(rename = "3xx")]
    pub redirection: u64,
    #[serde(rename = "4xx")]
    pub client_error: u64,
    #[serde(rename = "5xx")]
    pub server_error: u64,
}

/// A cumulative latency histogram: `[[1, n], [2, n], …, ["+Inf", n]]` and the sum, in ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub buckets: Vec<(UpperBound, u64)>,
    pub sum: f64,
}

/// A bucket's upper bound: milliseconds, or `"+Inf"` for the last bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UpperBound {
    Ms(f64),
    Inf,
}

impl Serialize for UpperBound {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            UpperBound::Ms(ms) => serializer.serialize_f64(*ms),
            UpperBound::Inf => serializer.serialize_str("+Inf"),
        }
    }
}

impl<'de> Deserialize<'de> for UpperBound {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UpperBound, D::Error> {
        struct Bound;
        impl Visitor<'_> for Bound {
            type Value = UpperBound;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a bucket bound in milliseconds or \"+Inf\"")
            }
            fn visit_f64<E: de::Error>(self, ms: f64) -> Result<UpperBound, E> {
                Ok(UpperBound::Ms(ms))
            }
            fn visit_u64<E: de::Error>(self, ms: u64) -> Result<UpperBound, E> {
                Ok(UpperBound::Ms(ms as f64))
            }
            fn visit_i64<E: de::Error>(self, ms: i64) -> Result<UpperBound, E> {
                Ok(UpperBound::Ms(ms as f64))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<UpperBound, E> {
                match s {
                    "+Inf" => Ok(UpperBound::Inf),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
        }
        deserializer.deserialize_any(Bound)
    }
}

/// The proxy's watchdog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WatchdogState {
    pub armed: bool,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    #[serde(default)]
    pub since_heartbeat_ms: Option<u64>,
}

/// A fallback the proxy made by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FallbackRecord {
    pub at_ms: u64,
    pub to: String,
    pub reason: String,
}

/// `PUT /api/routes`: the whole table, replaced atomically. Weights sum to 100.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutesRequest {
    pub stable: String,
    pub versions: Vec<RouteEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteEntry {
    pub name: String,
    pub url: String,
    pub weight: u8,
}

/// `POST /api/heartbeat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatRequest {
    pub timeout_ms: u64,
}

/// An error answer (422 names the offending `field`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    #[serde(default)]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_state() {
        let state: ProxyState = serde_json::from_str(
            r#"{ "instance": "p-1", "started_at_ms": 1700000000000, "stable": "v1",
                 "versions": [ { "name": "v1", "url": "http://127.0.0.1:8081", "weight": 95,
                   "counters": { "requests": 10,
                     "responses": { "1xx": 0, "2xx": 9, "3xx": 0, "4xx": 0, "5xx": 1 },
                     "connect_errors": 0,
                     "latency_ms": { "buckets": [[1, 2], [2.5, 9], ["+Inf", 10]], "sum": 31.5 } } } ],
                 "watchdog": { "armed": false, "timeout_ms": null },
                 "fallbacks": [ { "at_ms": 1700000001000, "to": "v1", "reason": "no heartbeat" } ],
                 "added_later": true }"#,
        )
        .unwrap();
        let counters = &state.versions[0].counters;
        assert_eq!(counters.responses.server_error, 1);
        assert_eq!(
            counters.latency_ms.buckets,
            [
                (UpperBound::Ms(1.0), 2),
                (UpperBound::Ms(2.5), 9),
                (UpperBound::Inf, 10)
            ]
        );
        assert_eq!(state.watchdog.since_heartbeat_ms, None);
        assert_eq!(state.fallbacks[0].reason, "no heartbeat");
    }

    #[test]
    fn writes_the_documented_requests() {
        let routes = RoutesRequest {
            stable: "v1".into(),
            versions: vec![RouteEntry {
                name: "v1".into(),
                url: "http://127.0.0.1:8081".into(),
                weight: 100,
            }],
        };
        assert_eq!(
            serde_json::to_value(&routes).unwrap(),
            serde_json::json!({ "stable": "v1",
                "versions": [ { "name": "v1", "url": "http://127.0.0.1:8081", "weight": 100 } ] })
        );
        assert_eq!(
            serde_json::to_value(HeartbeatRequest { timeout_ms: 5000 }).unwrap(),
            serde_json::json!({ "timeout_ms": 5000 })
        );
        let bound = serde_json::to_value([(UpperBound::Ms(1.0), 3), (UpperBound::Inf, 4)]);
        assert_eq!(bound.unwrap(), serde_json::json!([[1.0, 3], ["+Inf", 4]]));
    }

    #[test]
    fn a_bound_is_a_number_or_plus_inf() {
        let error = serde_json::from_str::<UpperBound>(r#""Inf""#).unwrap_err();
        assert!(error.to_string().contains("\"+Inf\""), "{error}");
    }
}
