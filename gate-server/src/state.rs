//! What every request handler and background task of the server shares.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::sync::Notify;

use crate::auth::Tokens;
use crate::config::ServerConfig;
use crate::metrics::Metrics;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub tokens: Arc<Tokens>,
    pub metrics: Arc<Metrics>,
    /// Notified when jobs are queued (runners waiting for work wake up).
    pub work: Arc<Notify>,
    /// Notified when a commit status is waiting to be posted.
    pub statuses: Arc<Notify>,
    pub webhook_secret: Option<Arc<Vec<u8>>>,
    /// The embedded pool is up (or there is none): for `/readyz`.
    pub pool_ready: Arc<AtomicBool>,
}
