//! An [`Observation`] as named items (`tls.protocol`, `header.server`,
//! `cookie.session.secure`, `version.database.version`, `probe.postgres`), each with the
//! value shown and the value compared.
//!
//! Most items are compared as shown. Two are not, because their raw values differ by nature:
//! - every value is compared with the environment's own host name replaced by `{host}`, so a
//!   CSP naming `https://staging.example.com` matches one naming `https://example.com`;
//! - the leaf certificate's expiry is compared by window (expired, expires within
//!   [`EXPIRY_WARNING_DAYS`] days, valid longer), not by its days left, which differ with
//!   every renewal.

use std::collections::BTreeMap;

use crate::HEADERS;
use crate::observation::{Observation, ProbeOutcome, VersionDocument};

/// Below this many days left, a certificate is in the "expires soon" window.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// The first segment of every item name, in the order the report shows them.
pub const FAMILIES: [&str; 6] = ["tls", "http", "header", "cookie", "version", "probe"];

/// What one environment shows for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// As the report shows it.
    pub shown: String,
    /// What is compared: `shown` less what differs by nature.
    pub compared: String,
    /// Why two values that are shown differently but compared equal are alike.
    pub alike: String,
}

impl Value {
    fn exact(shown: impl Into<String>) -> Value {
        let shown = shown.into();
        Value {
            compared: shown.clone(),
            shown,
            alike: String::new(),
        }
    }

    /// `shown`, compared with `host` replaced by `{host}`.
    fn with_host(shown: impl Into<String>, host: &str) -> Value {
        let shown = shown.into();
        if host.is_empty() || !shown.contains(host) {
            return Value::exact(shown);
        }
        Value {
            compared: shown.replace(host, "{host}"),
            shown,
            alike: "they differ only in each environment's own host name".into(),
        }
    }
}

/// Where an item goes in the report: its family, its place in the family, then its group
/// (a cookie's name) and its place in the group (the cookie's flags in a fixed order).
pub type Place = (usize, usize, String, usize);

/// The items of `observation` (name and value), by place. An item whose value is `None` is
/// one the environment was expected to show but did not (a header it does not send, no TLS).
pub fn items(observation: &Observation) -> BTreeMap<Place, (String, Option<Value>)> {
    let host = observation.host.as_str();
    let mut out = BTreeMap::new();
    let mut put = |family: usize, index: usize, name: String, value: Option<Value>| {
        let (group, sub) = match name.strip_prefix("cookie.") {
            Some(rest) => {
                let flags = ["secure", "httponly", "samesite", "path"];
                match rest.rsplit_once('.') {
                    Some((cookie, flag)) if flags.contains(&flag) => {
                        let at = flags.iter().position(|f| *f == flag).unwrap_or(0);
                        (cookie.to_string(), at + 1)
                    }
                    _ => (rest.to_string(), 0),
                }
            }
            None => (name.clone(), 0),
        };
        out.insert((family, index, group, sub), (name, value));
    };

    let tls = observation.tls.as_ref();
    let leaf = tls.and_then(|t| t.chain.first());
    let fixed: [(&str, Option<Value>); 8] = [
        ("tls.protocol", tls.map(|t| Value::exact(&t.protocol))),
        ("tls.cipher", tls.map(|t| Value::exact(&t.cipher))),
        (
            "tls.certificate.subject",
            leaf.map(|c| Value::with_host(&c.subject, host)),
        ),
        (
            "tls.certificate.issuer",
            leaf.map(|c| Value::with_host(&c.issuer, host)),
        ),
        ("tls.certificate.key", leaf.map(|c| Value::exact(&c.key))),
        (
            "tls.certificate.trusted",
            tls.map(|t| match &t.untrusted {
                None => Value::exact("yes"),
                Some(why) => Value::exact(format!("no: {why}")),
            }),
        ),
        (
            "tls.certificate.expiry",
            leaf.map(|c| expiry(c.days_left, &c.not_after)),
        ),
        (
            "tls.chain",
            tls.map(|t| {
                // The shape: how many certificates, and who stands above the leaf (CA names
                // are not per-environment, the leaf's subject is).
                let above: Vec<&str> = t.chain.iter().skip(1).map(|c| c.subject.as_str()).collect();
                let count = match t.chain.len() {
                    1 => "1 certificate".to_string(),
                    n => format!("{n} certificates"),
                };
                if above.is_empty() {
                    Value::exact(count)
                } else {
                    Value::with_host(format!("{count}: leaf ← {}", above.join(" ← ")), host)
                }
            }),
        ),
    ];
    for (index, (name, value)) in fixed.into_iter().enumerate() {
        put(0, index, name.to_string(), value);
    }

    let version = match tls {
        None => "http/1.1 (no TLS)".to_string(),
        Some(t) => match &t.alpn {
            Some(p) => p.clone(),
            None => "http/1.1 (no ALPN)".to_string(),
        },
    };
    put(1, 0, "http.version".into(), Some(Value::exact(version)));
    let status = observation.response.status.to_string();
    put(1, 1, "http.status".into(), Some(Value::exact(status)));

    for (index, name) in HEADERS.iter().enumerate() {
        let value = observation.response.header(name);
        put(
            2,
            index,
            format!("header.{name}"),
            value.map(|v| Value::with_host(v, host)),
        );
    }

    // By name: the first of several cookies with one name (different paths) stands for it.
    let mut seen = std::collections::BTreeSet::new();
    for cookie in &observation.response.cookies {
        if !seen.insert(cookie.name.as_str()) {
            continue;
        }
        let yes_no = |b: bool| Value::exact(if b { "yes" } else { "no" });
        let not_set = || "(not set)".to_string();
        let base = format!("cookie.{}", cookie.name);
        put(3, 0, base.clone(), Some(Value::exact("set")));
        put(3, 0, format!("{base}.secure"), Some(yes_no(cookie.secure)));
        put(
            3,
            0,
            format!("{base}.httponly"),
            Some(yes_no(cookie.http_only)),
        );
        let same_site = cookie.same_site.clone().unwrap_or_else(not_set);
        put(
            3,
            0,
            format!("{base}.samesite"),
            Some(Value::exact(same_site)),
        );
        let path = cookie.path.clone().unwrap_or_else(not_set);
        put(3, 0, format!("{base}.path"), Some(Value::exact(path)));
    }

    match &observation.version {
        None => {}
        Some(VersionDocument::Unusable(why)) => {
            put(4, 0, "version".into(), Some(Value::exact(why)));
        }
        Some(VersionDocument::Json(json)) => {
            let mut fields = Vec::new();
            flatten("version", json, &mut fields);
            for (name, value) in fields {
                put(4, 0, name, Some(Value::with_host(value, host)));
            }
        }
    }

    for (index, probe) in observation.probes.iter().enumerate() {
        let shown = match &probe.outcome {
            ProbeOutcome::Output(out) => out.clone(),
            ProbeOutcome::Failed(why) => format!("failed: {why}"),
        };
        put(
            5,
            index,
            format!("probe.{}", probe.name),
            Some(Value::with_host(shown, host)),
        );
    }
    out
}

/// The expiry item: days left shown, the window compared.
fn expiry(days_left: i64, not_after: &str) -> Value {
    let window = if days_left < 0 {
        "expired".to_string()
    } else if days_left < EXPIRY_WARNING_DAYS {
        format!("expiring within {EXPIRY_WARNING_DAYS} days")
    } else {
        format!("valid for {EXPIRY_WARNING_DAYS} days or more")
    };
    let date = not_after.split('T').next().unwrap_or(not_after);
    let shown = match days_left {
        d if d < 0 => format!("expired {} days ago ({date})", -d),
        1 => format!("1 day left ({date})"),
        d => format!("{d} days left ({date})"),
    };
    Value {
        shown,
        alike: format!("both {window}"),
        compared: window,
    }
}

/// The leaves of `json` under `prefix`: objects by `.key`, arrays by `[i]`, each leaf as its
/// JSON text (strings without quotes). An empty object or array is a leaf (`{}`, `[]`).
fn flatten(prefix: &str, json: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match json {
        serde_json::Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                flatten(&format!("{prefix}.{key}"), value, out);
            }
        }
        serde_json::Value::Array(items) if !items.is_empty() => {
            for (i, value) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), value, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_flattened_to_dotted_paths() {
        let json = serde_json::json!({
            "app": "1.4.2",
            "database": { "version": "16.2", "replicas": 2 },
            "features": ["a", "b"],
            "extra": {},
            "flag": null
        });
        let mut out = Vec::new();
        flatten("version", &json, &mut out);
        let names: Vec<(&str, &str)> = out.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(
            names,
            [
                ("version.app", "1.4.2"),
                ("version.database.replicas", "2"),
                ("version.database.version", "16.2"),
                ("version.extra", "{}"),
                ("version.features[0]", "a"),
                ("version.features[1]", "b"),
                ("version.flag", "null"),
            ]
        );
    }

    #[test]
    fn expiry_is_compared_by_window() {
        let far = expiry(82, "2027-02-23T10:00:00Z");
        assert_eq!(far.shown, "82 days left (2027-02-23)");
        assert_eq!(far.compared, expiry(300, "x").compared);
        assert_ne!(far.compared, expiry(5, "x").compared);
        assert_ne!(expiry(-1, "x").compared, expiry(5, "x").compared);
        assert_eq!(
            expiry(-3, "2026-01-01T00:00:00Z").shown,
            "expired 3 days ago (2026-01-01)"
        );
    }

    #[test]
    fn the_own_host_name_is_not_compared() {
        let a = Value::with_host(
            "default-src https://staging.example.com",
            "staging.example.com",
        );
        let b = Value::with_host("default-src https://example.com", "example.com");
        assert_ne!(a.shown, b.shown);
        assert_eq!(a.compared, b.compared);
        assert_eq!(Value::with_host("x", "").compared, "x");
    }
}
