//! Prometheus metrics (`GET /metrics`, text format):
//!
//! | metric | type | labels | set by |
//! |---|---|---|---|
//! | `gate_queue_jobs`, `gate_queue_runs` | gauge | `state` = queued, running | the store, at scrape time |
//! | `gate_runs_total` | counter | `outcome` | the event stream: runs finished |
//! | `gate_scenario_duration_seconds` | histogram | `outcome` | the event stream: scenarios finished (embedded pool and agents alike) |
//! | `gate_browser_pool_capacity`, `gate_browser_pool_busy` | gauge | | [`Metrics::pool_capacity`], [`Metrics::pool_busy_add`] (executor) |
//! | `gate_agents_waiting` | gauge | | [`Metrics::agent_waiting`] (agents in a long poll with nothing to run: idle capacity) |
//! | `gate_http_requests_total` | counter | `method`, `route`, `status` | the request middleware |
//! | `gate_digest_deliveries_total` | counter | `channel`, `result` = delivered, failed (retried), given_up | [`Metrics::digest_delivery`] (the digest delivery loop) |
//! | `gate_digests_pending` | gauge | | the store, at scrape time: digests not delivered and not given up |
//!
//! This module only counts; it never reads the store itself. It observes the service's events
//! ([`crate::events::Observer`]) rather than being called from each place a run changes.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::events::{Event, Observer};
use crate::store::QueueStats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DigestLabel {
    channel: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabel {
    method: String,
    route: String,
    status: u16,
}

pub struct Metrics {
    registry: Registry,
    runs: Family<OutcomeLabel, Counter>,
    scenario_seconds: Family<OutcomeLabel, Histogram>,
    queue_jobs: Family<StateLabel, Gauge>,
    queue_runs: Family<StateLabel, Gauge>,
    pool_capacity: Gauge,
    pool_busy: Gauge,
    agents_waiting: Gauge,
    http: Family<HttpLabel, Counter>,
    digest_deliveries: Family<DigestLabel, Counter>,
    digests_pending: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("gate");
        let runs = Family::<OutcomeLabel, Counter>::default();
        let scenario_seconds = Family::<OutcomeLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.05, 2.0, 14))
        });
        let queue_jobs = Family::<StateLabel, Gauge>::default();
        let queue_runs = Family::<StateLabel, Gauge>::default();
        let pool_capacity = Gauge::default();
        let pool_busy = Gauge::default();
        let agents_waiting = Gauge::default();
        let http = Family::<HttpLabel, Counter>::default();
        let digest_deliveries = Family::<DigestLabel, Counter>::default();
        let digests_pending = Gauge::default();
        registry.register(
            "digest_deliveries",
            "Attempts to deliver the weekly digest, by channel and result",
            digest_deliveries.clone(),
        );
        registry.register(
            "digests_pending",
            "Digests waiting to be delivered (retries included, given-up ones not)",
            digests_pending.clone(),
        );
        registry.register("runs", "Runs finished, by outcome", runs.clone());
        registry.register(
            "scenario_duration_seconds",
            "Scenario durations (all attempts), by outcome",
            scenario_seconds.clone(),
        );
        registry.register(
            "queue_jobs",
            "Scenario jobs by queue state",
            queue_jobs.clone(),
        );
        registry.register("queue_runs", "Runs by queue state", queue_runs.clone());
        registry.register(
            "browser_pool_capacity",
            "Browsers in the embedded pool",
            pool_capacity.clone(),
        );
        registry.register(
            "browser_pool_busy",
            "Browsers of the embedded pool running a job",
            pool_busy.clone(),
        );
        registry.register(
            "agents_waiting",
            "Agents waiting in a long poll for work (idle agent capacity)",
            agents_waiting.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            http.clone(),
        );
        Metrics {
            registry,
            runs,
            scenario_seconds,
            queue_jobs,
            queue_runs,
            pool_capacity,
            pool_busy,
            agents_waiting,
            http,
            digest_deliveries,
            digests_pending,
        }
    }

    /// An attempt to deliver a digest on `channel`: `delivered`, `failed` (retried later) or
    /// `given_up`.
    pub fn digest_delivery(&self, channel: &str, result: &str) {
        self.digest_deliveries
            .get_or_create(&DigestLabel {
                channel: channel.into(),
                result: result.into(),
            })
            .inc();
    }

    /// Digests waiting now (set at scrape time from the store).
    pub fn digests_pending(&self, n: u64) {
        self.digests_pending
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// A run reached its final state (`passed`, `failed`, `error`, `cancelled`).
    fn run_finished(&self, outcome: &str) {
        self.runs
            .get_or_create(&OutcomeLabel {
                outcome: outcome.into(),
            })
            .inc();
    }

    /// A scenario finished (all attempts) with this outcome after `seconds`.
    fn scenario_finished(&self, outcome: &str, seconds: f64) {
        self.scenario_seconds
            .get_or_create(&OutcomeLabel {
                outcome: outcome.into(),
            })
            .observe(seconds);
    }

    /// The embedded pool has `n` browsers.
    pub fn pool_capacity(&self, n: i64) {
        self.pool_capacity.set(n);
    }

    /// `delta` more (or, negative, fewer) browsers are running a job.
    pub fn pool_busy_add(&self, delta: i64) {
        self.pool_busy.inc_by(delta);
    }

    /// An agent waits for work until the guard is dropped (woken, timed out or disconnected).
    pub fn agent_waiting(&self) -> WaitingAgent {
        self.agents_waiting.inc();
        WaitingAgent(self.agents_waiting.clone())
    }

    /// Agents waiting for work now.
    pub fn agents_waiting(&self) -> i64 {
        self.agents_waiting.get()
    }

    /// One answered request; `route` is the matched route pattern, never the raw path.
    pub fn http_request(&self, method: &str, route: &str, status: u16) {
        self.http
            .get_or_create(&HttpLabel {
                method: method.into(),
                route: route.into(),
                status,
            })
            .inc();
    }

    /// The text exposition, with the queue gauges set from `stats`.
    pub fn render(&self, stats: QueueStats) -> String {
        let set = |family: &Family<StateLabel, Gauge>, state: &str, n: u64| {
            family
                .get_or_create(&StateLabel {
                    state: state.into(),
                })
                .set(n as i64);
        };
        set(&self.queue_jobs, "queued", stats.queued_jobs);
        set(&self.queue_jobs, "running", stats.running_jobs);
        set(&self.queue_runs, "queued", stats.queued_runs);
        set(&self.queue_runs, "running", stats.running_runs);
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Counts one agent in `gate_agents_waiting` while it lives.
pub struct WaitingAgent(Gauge);

impl Drop for WaitingAgent {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Observer for Metrics {
    fn observe(&self, event: &Event) {
        match event {
            Event::RunFinished { run } => self.run_finished(run.state.as_str()),
            Event::ScenarioFinished(s) => {
                self.scenario_finished(s.outcome.as_str(), s.duration_ms as f64 / 1000.0);
            }
            Event::RunQueued { .. }
            | Event::VerdictChanged(_)
            | Event::DeploymentChanged(_)
            | Event::ServingChanged { .. }
            | Event::HistoryRecorded { .. } => {}
        }
    }
}
