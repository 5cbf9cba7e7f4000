//! Simulated shoppers: concurrent users of the shop's JSON API who visit, sign up, put
//! something in the cart and order a few times, and leave, making room for the next visitor
//! (a new session with no cookies), again and again, through whatever stands in front of the
//! shop (a canary router). New visitors keep arriving as on a real site, so a router that keeps
//! each visitor on one version still gives a canary its share. Each answer's version (the router's
//! `X-Gate-Version`, else the shop's `X-Shop-Version`) is tallied: requests, server errors,
//! orders and failed orders per version, when each version last answered, and every time a
//! shopper was served by another version than before. `gate demo` drives a canary with them;
//! tests measure rollbacks and stickiness with them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// What one version served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionTally {
    pub requests: u64,
    /// Answers with a 5xx status.
    pub server_errors: u64,
    pub orders: u64,
    pub failed_orders: u64,
}

/// A visit served by another version than before, within one visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    pub shopper: usize,
    pub from: String,
    pub to: String,
    pub at: Instant,
}

/// Everything the shoppers saw so far.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub by_version: BTreeMap<String, VersionTally>,
    /// When each version last answered.
    pub last_seen: BTreeMap<String, SystemTime>,
    pub switches: Vec<Switch>,
    /// Requests that got no answer at all.
    pub transport_errors: u64,
}

impl Tally {
    pub fn version(&self, name: &str) -> VersionTally {
        self.by_version.get(name).cloned().unwrap_or_default()
    }

    pub fn requests(&self) -> u64 {
        self.by_version.values().map(|v| v.requests).sum()
    }
}

/// Shoppers at work until [`Shoppers::stop`].
pub struct Shoppers {
    tally: Arc<Mutex<Tally>>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Shoppers {
    /// `users` shoppers against `base_url` (no trailing `/`). `label` keeps their e-mail
    /// addresses apart from other runs'.
    pub fn start(base_url: &str, users: usize, label: &str) -> Shoppers {
        let tally: Arc<Mutex<Tally>> = Arc::default();
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for n in 0..users {
            let shopper = Shopper {
                n,
                base: base_url.trim_end_matches('/').to_string(),
                email: format!("shopper-{label}-{n}@example.com"),
                tally: tally.clone(),
                last_version: None,
            };
            let mut stopped = stopped.clone();
            tasks.spawn(async move {
                let mut shopper = shopper;
                tokio::select! {
                    () = shopper.shop() => {}
                    _ = stopped.wait_for(|s| *s) => {}
                }
            });
        }
        Shoppers { tally, stop, tasks }
    }

    /// What they saw so far.
    pub fn tally(&self) -> Tally {
        self.tally.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Stops every shopper and waits for them; what they saw.
    pub async fn stop(mut self) -> Tally {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
        self.tally()
    }
}

/// Orders per visit, at least (a visit places 3 to 5).
const ROUNDS_PER_VISIT: u64 = 3;

struct Shopper {
    n: usize,
    base: String,
    email: String,
    tally: Arc<Mutex<Tally>>,
    last_version: Option<String>,
}

impl Shopper {
    async fn shop(&mut self) {
        for visit in 0.. {
            self.visit(visit).await;
        }
    }

    /// One visit: a fresh session (no cookies), a sign-up and a few orders.
    async fn visit(&mut self, visit: u64) {
        let Ok(client) = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(5))
            .build()
        else {
            return;
        };
        self.last_version = None;
        let rounds = ROUNDS_PER_VISIT + (visit + self.n as u64) % 3;
        let mut signed_up = false;
        let mut round: u64 = 0;
        while round < rounds + 1 {
            round += 1;
            if !signed_up {
                let body = json!({ "email": format!("{visit}-{round}-{}", self.email), "password": "Shopper-Password-1" });
                let answer = client
                    .post(format!("{}/api/accounts", self.base))
                    .json(&body)
                    .send()
                    .await;
                signed_up = matches!(self.record(answer, false), Some(s) if s < 300);
                continue;
            }
            let product = 1 + (round % 4);
            let added = client
                .post(format!("{}/api/cart/items", self.base))
                .json(&json!({ "product_id": product, "quantity": 1 }))
                .send()
                .await;
            match self.record(added, false) {
                Some(401) => {
                    // Served by a version that does not know this session: sign up there.
                    signed_up = false;
                    continue;
                }
                Some(s) if s < 300 => {}
                _ => continue,
            }
            let order = json!({
                "name": "Ada Shopper",
                "address": "12 Analytical Row",
                "city": "Paris",
                "country": "FR",
                "card": "4242424242424242",
            });
            let placed = client
                .post(format!("{}/api/orders", self.base))
                .json(&order)
                .send()
                .await;
            if self.record(placed, true) == Some(401) {
                signed_up = false;
            }
        }
    }

    /// Tallies one answer; its status.
    fn record(
        &mut self,
        answer: Result<reqwest::Response, reqwest::Error>,
        order: bool,
    ) -> Option<u16> {
        let Ok(mut tally) = self.tally.lock() else {
            return None;
        };
        let response = match answer {
            Ok(response) => response,
            Err(_) => {
                tally.transport_errors += 1;
                return None;
            }
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let version = header("x-gate-version")
            .or_else(|| header("x-shop-version"))
            .unwrap_or_else(|| "unknown".into());
        let now = Instant::now();
        let entry = tally.by_version.entry(version.clone()).or_default();
        entry.requests += 1;
        if status >= 500 {
            entry.server_errors += 1;
        }
        if order {
            entry.orders += 1;
            if status >= 500 {
                entry.failed_orders += 1;
            }
        }
        tally.last_seen.insert(version.clone(), SystemTime::now());
        if let Some(last) = &self.last_version
            && *last != version
        {
            tally.switches.push(Switch {
                shopper: self.n,
                from: last.clone(),
                to: version.clone(),
                at: now,
            });
        }
        self.last_version = Some(version);
        Some(status)
    }
}
