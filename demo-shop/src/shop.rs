//! The state every handler shares: the configuration and the store behind one mutex.
//!
//! The mutex is a std one: it is only ever held for a few map operations and never across an
//! `.await`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::config::ShopConfig;
use crate::store::Store;

/// The shop's shared state, as handlers receive it.
pub type SharedShop = Arc<Shop>;

#[derive(Debug)]
pub struct Shop {
    pub config: ShopConfig,
    store: Mutex<Store>,
}

impl Shop {
    /// Whether this order fails on purpose: the `checkout-500` fault, or the `fail_rate` draw.
    pub fn fails_order(&self) -> bool {
        self.config.has(crate::config::Fault::Checkout500)
            || (self.config.fail_rate > 0.0 && rand::random::<f64>() < self.config.fail_rate)
    }

    pub fn new(config: ShopConfig) -> SharedShop {
        Arc::new(Self {
            config,
            store: Mutex::new(Store::new()),
        })
    }

    /// Locks the store. A panic elsewhere while it was held cannot leave it half-updated (every
    /// store method finishes its writes before anything can fail), so poisoning is ignored.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
