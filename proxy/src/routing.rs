//! The live routing state every part of the proxy shares: the current table (a snapshot the
//! request path reads without waiting), the watchdog, the fallbacks and the state file.
//! Owns every change of the table (replace, fall back) and keeps memory and file in step: one
//! change at a time, saved before it is applied (a replacement) or right after (a fallback,
//! which must happen even when the disk is full). Knows nothing of HTTP.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use crate::api::{self, Fallback, Routes};
use crate::state_file::{Saved, StateFile};
use crate::table::{InvalidRoutes, Table};
use crate::watchdog::Watchdog;

/// Fallbacks kept (the oldest go first).
const FALLBACKS_KEPT: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Invalid(#[from] InvalidRoutes),
    #[error("cannot save the state file: {0}")]
    Save(std::io::Error),
}

#[derive(Debug)]
pub struct Routing {
    table: RwLock<Arc<Table>>,
    /// Held for the whole of a change; guards the fallbacks.
    changes: Mutex<Vec<Fallback>>,
    watchdog: Watchdog,
    store: Option<StateFile>,
    instance: String,
    started_at_ms: u64,
}

impl Routing {
    pub fn new(
        table: Table,
        fallbacks: Vec<Fallback>,
        watchdog: Option<Duration>,
        store: Option<StateFile>,
    ) -> Self {
        Routing {
            table: RwLock::new(Arc::new(table)),
            changes: Mutex::new(fallbacks),
            watchdog: Watchdog::new(watchdog),
            store,
            instance: format!("{:016x}", rand::random::<u64>()),
            started_at_ms: now_ms(),
        }
    }

    /// The table one request routes by.
    pub fn table(&self) -> Arc<Table> {
        self.table
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn watchdog(&self) -> &Watchdog {
        &self.watchdog
    }

    /// Replaces the table atomically: saved first, then applied; a failed save changes
    /// nothing. Versions that stay (by name) keep their counters.
    pub async fn replace(&self, routes: &Routes) -> Result<api::State, ChangeError> {
        let fallbacks = self.changes.lock().await;
        let table = Table::build(routes, Some(&self.table()))?;
        self.save(table.routes(), &fallbacks)
            .await
            .map_err(ChangeError::Save)?;
        self.swap(table);
        Ok(self.state_with(&fallbacks))
    }

    /// Arms or renews the watchdog (saved when the timeout changes).
    pub async fn heartbeat(&self, timeout: Duration) -> api::Watchdog {
        if self.watchdog.heartbeat(timeout) {
            self.save_logged().await;
        }
        self.watchdog.status()
    }

    pub async fn disarm(&self) -> api::Watchdog {
        if self.watchdog.disarm() {
            self.save_logged().await;
        }
        self.watchdog.status()
    }

    /// All traffic to stable, at once: the watchdog's fallback.
    pub async fn fall_back(&self, reason: String) {
        let mut fallbacks = self.changes.lock().await;
        let table = self.table().all_on_stable();
        let to = table.stable().name.clone();
        let routes = table.routes();
        self.swap(table);
        // Always on stderr, whatever the log filter: an operator must see this.
        eprintln!("gate proxy: fell back: all traffic to {to}: {reason}");
        if fallbacks.len() >= FALLBACKS_KEPT {
            fallbacks.remove(0);
        }
        fallbacks.push(Fallback {
            at_ms: now_ms(),
            to,
            reason,
        });
        if let Err(e) = self.save(routes, &fallbacks).await {
            tracing::error!("the fallback is in effect but {e}");
        }
    }

    /// Writes the state file now (at start, so a restart finds the table the flags gave).
    pub async fn save_now(&self) -> std::io::Result<()> {
        let fallbacks = self.changes.lock().await;
        self.save(self.table().routes(), &fallbacks).await
    }

    pub async fn state(&self) -> api::State {
        let fallbacks = self.changes.lock().await;
        self.state_with(&fallbacks)
    }

    fn state_with(&self, fallbacks: &[Fallback]) -> api::State {
        let table = self.table();
        api::State {
            instance: self.instance.clone(),
            started_at_ms: self.started_at_ms,
            stable: table.stable().name.clone(),
            versions: table
                .versions()
                .iter()
                .map(|v| api::VersionState {
                    name: v.name.clone(),
                    url: v.upstream.url().to_string(),
                    weight: v.weight,
                    counters: v.counters.snapshot(),
                })
                .collect(),
            watchdog: self.watchdog.status(),
            fallbacks: fallbacks.to_vec(),
        }
    }

    fn swap(&self, table: Table) {
        *self.table.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(table);
    }

    async fn save(&self, routes: Routes, fallbacks: &[Fallback]) -> std::io::Result<()> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let timeout_ms = self
            .watchdog
            .timeout()
            .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX));
        store
            .save(&Saved::new(routes, fallbacks.to_vec(), timeout_ms))
            .await
    }

    /// A watchdog change that cannot be saved still takes effect (arming is the safe side).
    async fn save_logged(&self) {
        let fallbacks = self.changes.lock().await;
        if let Err(e) = self.save(self.table().routes(), &fallbacks).await {
            tracing::error!("the watchdog change is in effect but cannot be saved: {e}");
        }
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
