//! `GET /metrics`: the state in Prometheus text format. A pure function of [`api::State`], so
//! the JSON and the metrics can never disagree.

use std::fmt::{Display, Write as _};

use crate::api;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn render(state: &api::State) -> String {
    let mut t = Text::default();
    t.family(
        "gate_proxy_info",
        "gauge",
        "This instance (a new id at every start) and its stable version.",
    );
    t.sample(
        "gate_proxy_info",
        &[("instance", &state.instance), ("stable", &state.stable)],
        1,
    );
    t.family(
        "gate_proxy_started_at_ms",
        "gauge",
        "When this instance started, Unix epoch milliseconds.",
    );
    t.sample("gate_proxy_started_at_ms", &[], state.started_at_ms);

    let per_version: [Family; 4] = [
        (
            "gate_proxy_weight",
            "gauge",
            "Share of new users routed to the version, percent.",
            |v| u64::from(v.weight),
        ),
        (
            "gate_proxy_requests_total",
            "counter",
            "Requests routed to the version.",
            |v| v.counters.requests,
        ),
        (
            "gate_proxy_connect_errors_total",
            "counter",
            "Connections to the version's upstream that failed (answered 502).",
            |v| v.counters.connect_errors,
        ),
        (
            "gate_proxy_response_errors_total",
            "counter",
            "Requests the upstream failed or timed out before answering (502 or 504).",
            |v| v.counters.response_errors,
        ),
    ];
    for (name, kind, help, value) in per_version {
        t.family(name, kind, help);
        for v in &state.versions {
            t.sample(name, &[("version", &v.name)], value(v));
        }
    }

    let name = "gate_proxy_responses_total";
    t.family(
        name,
        "counter",
        "Responses the version's upstream sent, by status class.",
    );
    for v in &state.versions {
        let r = v.counters.responses;
        for (class, n) in [
            ("1xx", r.informational),
            ("2xx", r.success),
            ("3xx", r.redirection),
            ("4xx", r.client_error),
            ("5xx", r.server_error),
        ] {
            t.sample(name, &[("version", &v.name), ("class", class)], n);
        }
    }

    t.family(
        "gate_proxy_latency_ms",
        "histogram",
        "Time to the upstream's response headers, milliseconds.",
    );
    for v in &state.versions {
        let l = &v.counters.latency_ms;
        for api::Bucket(le, n) in &l.buckets {
            let le = le.to_string();
            t.sample(
                "gate_proxy_latency_ms_bucket",
                &[("version", &v.name), ("le", &le)],
                n,
            );
        }
        t.sample("gate_proxy_latency_ms_sum", &[("version", &v.name)], l.sum);
        t.sample(
            "gate_proxy_latency_ms_count",
            &[("version", &v.name)],
            l.count,
        );
    }

    t.family(
        "gate_proxy_watchdog_armed",
        "gauge",
        "1 while a controller's heartbeats are watched.",
    );
    t.sample(
        "gate_proxy_watchdog_armed",
        &[],
        u8::from(state.watchdog.armed),
    );
    t.family(
        "gate_proxy_fallbacks",
        "gauge",
        "Fallbacks to stable the watchdog made (kept across restarts with --state).",
    );
    t.sample("gate_proxy_fallbacks", &[], state.fallbacks.len());
    t.0
}

/// A per-version family: name, type, help, and the value it reads from a version.
type Family = (
    &'static str,
    &'static str,
    &'static str,
    fn(&api::VersionState) -> u64,
);

#[derive(Default)]
struct Text(String);

impl Text {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    /// Label values are version names, cookie-safe by construction; quotes and backslashes
    /// are escaped all the same.
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            let pairs: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            let _ = write!(self.0, "{{{}}}", pairs.join(","));
        }
        let _ = writeln!(self.0, " {value}");
    }
}
