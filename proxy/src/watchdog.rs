//! The watchdog: a canary never runs unwatched. While armed, every heartbeat from the
//! controller (the gate server) must come within its timeout; when one does not (the
//! controller was killed, the network cut), the proxy shifts all traffic to stable by itself
//! and disarms. Owns the arming state and the task that waits for the deadline; the fallback
//! itself is the routing's ([`Routing::expire`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::api;
use crate::routing::Routing;

/// Shortest and longest timeout a heartbeat may ask for.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(50);
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy)]
struct Arming {
    /// `None`: disarmed.
    timeout: Option<Duration>,
    renewed: Instant,
    /// Counts heartbeats, so an expiry never disarms a watchdog renewed meanwhile.
    generation: u64,
}

#[derive(Debug)]
pub struct Watchdog {
    arming: watch::Sender<Arming>,
}

impl Watchdog {
    /// Armed from now with `timeout`, or disarmed.
    pub fn new(timeout: Option<Duration>) -> Self {
        let (arming, _) = watch::channel(Arming {
            timeout,
            renewed: Instant::now(),
            generation: 0,
        });
        Watchdog { arming }
    }

    /// Arms or renews. True when the armed timeout changed (worth saving).
    pub fn heartbeat(&self, timeout: Duration) -> bool {
        let mut changed = false;
        self.arming.send_modify(|a| {
            changed = a.timeout != Some(timeout);
            *a = Arming {
                timeout: Some(timeout),
                renewed: Instant::now(),
                generation: a.generation + 1,
            };
        });
        changed
    }

    /// True when it was armed.
    pub fn disarm(&self) -> bool {
        self.arming.send_if_modified(|a| {
            let was = a.timeout.is_some();
            a.timeout = None;
            a.generation += 1;
            was
        })
    }

    /// Disarms unless a heartbeat came after `generation`. True when it disarmed.
    fn expire(&self, generation: u64) -> bool {
        self.arming.send_if_modified(|a| {
            let expired = a.generation == generation && a.timeout.is_some();
            if expired {
                a.timeout = None;
            }
            expired
        })
    }

    pub fn timeout(&self) -> Option<Duration> {
        self.arming.borrow().timeout
    }

    pub fn status(&self) -> api::Watchdog {
        let a = *self.arming.borrow();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        api::Watchdog {
            armed: a.timeout.is_some(),
            timeout_ms: a.timeout.map(ms),
            since_heartbeat_ms: a.timeout.map(|_| ms(a.renewed.elapsed())),
        }
    }
}

/// What the fallback entry says.
pub fn reason(timeout: Duration) -> String {
    format!(
        "no heartbeat from the controller for {}",
        humantime::format_duration(timeout)
    )
}

/// Waits for each deadline in turn until `stop`; a missed one falls back to stable.
pub async fn run(routing: Arc<Routing>, stop: CancellationToken) {
    let mut arming = routing.watchdog().arming.subscribe();
    loop {
        let now = *arming.borrow_and_update();
        let deadline = async {
            match now.timeout {
                Some(t) => tokio::time::sleep_until(now.renewed + t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = stop.cancelled() => return,
            changed = arming.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = deadline => {
                let Some(timeout) = now.timeout else { continue };
                if routing.watchdog().expire(now.generation) {
                    routing.fall_back(reason(timeout)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Routes, VersionRoute};
    use crate::table::Table;

    fn routing() -> Arc<Routing> {
        let v = |name: &str, weight| VersionRoute {
            name: name.into(),
            url: "http://127.0.0.1:1".into(),
            weight,
        };
        let routes = Routes {
            stable: "v1".into(),
            versions: vec![v("v1", 50), v("v2", 50)],
        };
        let table = Table::build(&routes, None).expect("valid");
        Arc::new(Routing::new(table, Vec::new(), None, None))
    }

    fn weights(r: &Routing) -> Vec<u32> {
        r.table().versions().iter().map(|v| v.weight).collect()
    }

    /// Paused time: the runtime jumps to the next timer when every task waits, so these are
    /// exact deadlines, not sleeps.
    #[tokio::test(start_paused = true)]
    async fn heartbeats_in_time_keep_the_canary_and_a_missed_one_falls_back() {
        let r = routing();
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(r.clone(), stop.clone()));
        let timeout = Duration::from_secs(5);
        r.heartbeat(timeout).await;
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(4900)).await;
            r.heartbeat(timeout).await;
        }
        assert_eq!(weights(&r), [50, 50]);
        assert!(r.state().await.fallbacks.is_empty());
        tokio::time::sleep(Duration::from_millis(4999)).await;
        assert_eq!(weights(&r), [50, 50], "not yet: 1 ms before the deadline");
        tokio::time::sleep(Duration::from_millis(2)).await;
        assert_eq!(weights(&r), [100, 0]);
        let state = r.state().await;
        assert_eq!(state.fallbacks.len(), 1);
        assert_eq!(state.fallbacks[0].to, "v1");
        assert_eq!(
            state.fallbacks[0].reason,
            "no heartbeat from the controller for 5s"
        );
        assert!(!state.watchdog.armed);
        stop.cancel();
        task.await.expect("watchdog task");
    }

    #[tokio::test(start_paused = true)]
    async fn a_disarmed_watchdog_never_falls_back() {
        let r = routing();
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(r.clone(), stop.clone()));
        r.heartbeat(Duration::from_secs(1)).await;
        r.disarm().await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(weights(&r), [50, 50]);
        assert!(r.state().await.fallbacks.is_empty());
        stop.cancel();
        task.await.expect("watchdog task");
    }
}
