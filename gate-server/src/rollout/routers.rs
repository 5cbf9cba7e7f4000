//! The traffic router of each configured service, made once from the configuration.

use std::collections::HashMap;
use std::sync::Arc;

use gate_traffic::{AnyRouter, RouterError};

use crate::config::ServiceConfig;

#[derive(Clone, Default)]
pub struct Routers(Arc<HashMap<String, AnyRouter>>);

impl Routers {
    /// A driver for each service's router. Fails on settings no call could work with.
    pub fn new(services: &[ServiceConfig]) -> Result<Routers, RouterError> {
        let mut map = HashMap::new();
        for service in services {
            map.insert(service.name.clone(), AnyRouter::new(&service.router)?);
        }
        Ok(Routers(Arc::new(map)))
    }

    pub fn get(&self, service: &str) -> Option<&AnyRouter> {
        self.0.get(service)
    }
}
