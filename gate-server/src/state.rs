//! What every request handler shares: the service, the tokens, the metrics, and the switches
//! the health checks and long-lived responses read.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio_util::sync::CancellationToken;

use crate::auth::Tokens;
use crate::config::ServerConfig;
use crate::events::{Events, Observer};
use crate::metrics::Metrics;
use crate::rollout::routers::Routers;
use crate::service::Service;
use crate::store::Store;

/// Cloned for every request by each layer that takes it: one reference count, not one per
/// field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    pub service: Service,
    pub tokens: Arc<Tokens>,
    pub metrics: Arc<Metrics>,
    pub webhook_secret: Option<Arc<Vec<u8>>>,
    /// The embedded pool is up (or there is none): for `/readyz`.
    pub pool_ready: Arc<AtomicBool>,
    /// Cancelled when the server stops: long-lived answers (the event stream) end then.
    pub shutdown: CancellationToken,
}

impl AppState {
    /// Everything the server shares, over an opened store: the tokens, the metrics observing
    /// the event stream, and the service. The pool counts as ready when there is none.
    pub fn new(
        config: ServerConfig,
        store: Store,
        shutdown: CancellationToken,
    ) -> anyhow::Result<AppState> {
        let tokens = Tokens::from_config(&config.tokens)?;
        let routers = Routers::new(&config.services)?;
        let webhook_secret = config
            .webhook
            .as_ref()
            .map(|w| Arc::new(w.secret.clone().into_bytes()));
        let metrics = Arc::new(Metrics::new());
        let observers: Vec<Arc<dyn Observer>> = vec![metrics.clone()];
        let pool_ready = Arc::new(AtomicBool::new(config.workers == 0));
        let service = Service::new(store, Arc::new(config), Events::new(observers), routers);
        Ok(AppState(Arc::new(Shared {
            service,
            tokens: Arc::new(tokens),
            metrics,
            webhook_secret,
            pool_ready,
            shutdown,
        })))
    }

    pub fn config(&self) -> &ServerConfig {
        self.0.service.config()
    }
}
