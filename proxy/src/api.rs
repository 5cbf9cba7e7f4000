//! The admin API's wire types, paths and headers: the one definition shared by the proxy and
//! every client of it (the `traffic` crate's router driver, tests, scripts).
//!
//! Owns the JSON shape only. Field names and paths are a contract: add fields, never rename.
//! Requests are `deny_unknown_fields` so a misspelt field is refused (422) instead of ignored.
//! Nothing here validates meaning (weights adding up, known names): the routing table does.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `GET`: the whole state ([`State`]).
pub const STATE_PATH: &str = "/api/state";
/// `PUT`: replace the routing table ([`Routes`]); answers with the new [`State`].
pub const ROUTES_PATH: &str = "/api/routes";
/// `POST`: arm or renew the watchdog ([`Heartbeat`]); `DELETE`: disarm it. Both answer with
/// the [`Watchdog`] status.
pub const HEARTBEAT_PATH: &str = "/api/heartbeat";
/// `GET`: the counters in Prometheus text format.
pub const METRICS_PATH: &str = "/metrics";

/// Request header forcing a version with a weight above 0 (synthetic checks); response header
/// naming the version that served the response (or that the proxy failed to reach).
pub const VERSION_HEADER: &str = "x-gate-version";

/// A routing table: `PUT /api/routes` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routes {
    /// The version all traffic falls back to.
    pub stable: String,
    pub versions: Vec<VersionRoute>,
}

/// One version of the table: where it lives and its share of new users (0–100, all adding up
/// to 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRoute {
    pub name: String,
    /// `http://host:port[/base-path]`.
    pub url: String,
    pub weight: u32,
}

/// `POST /api/heartbeat` body: the controller is alive; fall back to stable unless the next
/// heartbeat comes within `timeout_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub timeout_ms: u64,
}

/// `GET /api/state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Random, new at each start of the proxy: counters of another instance are not
    /// comparable with these.
    pub instance: String,
    /// When this instance started (Unix epoch, milliseconds).
    pub started_at_ms: u64,
    pub stable: String,
    pub versions: Vec<VersionState>,
    pub watchdog: Watchdog,
    /// Every fallback the watchdog made, oldest first (kept across restarts with `--state`).
    pub fallbacks: Vec<Fallback>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionState {
    pub name: String,
    pub url: String,
    pub weight: u32,
    pub counters: Counters,
}

/// Cumulative since the version entered the table (or the instance started). Every request
/// ends as exactly one of: a response (counted by class), a connection error, or a response
/// error; requests still in flight are counted in `requests` only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    pub requests: u64,
    /// Responses the upstream sent, by status class.
    pub responses: Responses,
    /// The upstream refused or failed the connection (or connecting timed out): the client got
    /// a 502.
    pub connect_errors: u64,
    /// Connected, but the upstream failed or timed out before sending response headers: the
    /// client got a 502 or 504.
    pub response_errors: u64,
    /// Time from receiving the request to the upstream's response headers.
    pub latency_ms: Latency,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responses {
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

/// A latency histogram, cumulative like Prometheus: each bucket counts the responses at most
/// that many milliseconds late; the last (`"+Inf"`) counts them all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub buckets: Vec<Bucket>,
    /// Sum of all latencies, milliseconds.
    pub sum: f64,
    /// Number of observations (equal to the `+Inf` bucket).
    pub count: u64,
}

/// `[upper bound, count]`, serialised as a two-element array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket(pub Le, pub u64);

/// A bucket's upper bound: milliseconds (a JSON number) or infinity (the string `"+Inf"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Le {
    Ms(u64),
    Inf,
}

impl fmt::Display for Le {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Le::Ms(ms) => write!(f, "{ms}"),
            Le::Inf => f.write_str("+Inf"),
        }
    }
}

impl Serialize for Le {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Le::Ms(ms) => s.serialize_u64(*ms),
            Le::Inf => s.serialize_str("+Inf"),
        }
    }
}

impl<'de> Deserialize<'de> for Le {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LeVisitor;
        impl Visitor<'_> for LeVisitor {
            type Value = Le;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of milliseconds or \"+Inf\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Le, E> {
                Ok(Le::Ms(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Le, E> {
                if v == "+Inf" {
                    Ok(Le::Inf)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(LeVisitor)
    }
}

/// The watchdog: armed while a controller sends heartbeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watchdog {
    pub armed: bool,
    /// The timeout of the last heartbeat (`null` when disarmed).
    pub timeout_ms: Option<u64>,
    /// Time since the last heartbeat (`null` when disarmed).
    pub since_heartbeat_ms: Option<u64>,
}

/// The proxy shifted all traffic to `to` by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fallback {
    /// Unix epoch, milliseconds.
    pub at_ms: u64,
    pub to: String,
    pub reason: String,
}

/// Every error answer: 401 (missing or wrong token), 404, 422 (bad input: `field` names the
/// offending field, e.g. `versions[1].url`), 500 (the change could not be saved; nothing
/// changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_number_or_inf_pairs() {
        let buckets = vec![Bucket(Le::Ms(1), 3), Bucket(Le::Inf, 7)];
        let json = serde_json::to_string(&buckets).expect("serialisable");
        assert_eq!(json, r#"[[1,3],["+Inf",7]]"#);
        let back: Vec<Bucket> = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, buckets);
        assert!(serde_json::from_str::<Le>(r#""Inf""#).is_err());
    }

    #[test]
    fn requests_refuse_unknown_fields() {
        let err = serde_json::from_str::<Heartbeat>(r#"{"timeout_ms": 5, "timeout": 5}"#)
            .expect_err("unknown field");
        assert!(err.to_string().contains("unknown field `timeout`"), "{err}");
    }

    #[test]
    fn response_classes_are_named_by_class() {
        let json = serde_json::to_value(Responses {
            server_error: 2,
            ..Responses::default()
        })
        .expect("serialisable");
        assert_eq!(json["5xx"], 2);
        assert_eq!(json["1xx"], 0);
    }
}
