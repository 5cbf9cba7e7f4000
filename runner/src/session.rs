//! Session reuse: a scenario may start from the browser state another scenario leaves (the
//! typical case: every scenario starts logged in). The state is made once per run and shared by
//! all workers; it is made again when a scenario finds it no longer valid.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chromiumoxide::cdp::browser_protocol::network::CookieParam;

/// Cookies and local storage (by origin) of a browser context.
#[derive(Debug, Clone, Default)]
pub struct StorageState {
    pub cookies: Vec<CookieParam>,
    pub local_storage: BTreeMap<String, BTreeMap<String, String>>,
}

/// A session as handed to a scenario: the state and which version of it this is.
#[derive(Debug, Clone)]
pub struct Session {
    pub state: Arc<StorageState>,
    pub generation: u64,
}

#[derive(Default)]
struct Slot {
    state: Option<Arc<StorageState>>,
    generation: u64,
}

/// Run-wide cache of session states by scenario name.
#[derive(Default)]
pub struct SessionCache {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
}

impl SessionCache {
    fn slot(&self, name: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(name.to_string()).or_default().clone()
    }

    /// Returns the cached session of `name`, or makes it with `establish` (only one caller makes
    /// it; the others wait for the result).
    pub async fn get_or_make<F, Fut, E>(&self, name: &str, establish: F) -> Result<Session, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<StorageState, E>>,
    {
        let slot = self.slot(name);
        let mut guard = slot.lock().await;
        if let Some(state) = &guard.state {
            return Ok(Session {
                state: state.clone(),
                generation: guard.generation,
            });
        }
        let state = Arc::new(establish().await?);
        guard.generation += 1;
        guard.state = Some(state.clone());
        Ok(Session {
            state,
            generation: guard.generation,
        })
    }

    /// Runs the scenario `name` itself (as a job of the run) while holding its slot, so
    /// scenarios waiting for its session take the state it leaves instead of logging in again.
    /// `run` returns its result and, if it passed, its final state.
    pub async fn run_provider<F, Fut, R>(&self, name: &str, run: F) -> R
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = (R, Option<StorageState>)>,
    {
        let slot = self.slot(name);
        let mut guard = slot.lock().await;
        let (result, state) = run().await;
        if let (None, Some(state)) = (&guard.state, state) {
            guard.generation += 1;
            guard.state = Some(Arc::new(state));
        }
        result
    }

    /// Drops the session if it is still the given generation (another worker may already have
    /// made a new one).
    pub async fn invalidate(&self, name: &str, generation: u64) {
        let slot = self.slot(name);
        let mut guard = slot.lock().await;
        if guard.generation == generation {
            guard.state = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn makes_once_and_remakes_after_invalidation() {
        let cache = SessionCache::default();
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = || async {
            made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, ()>(StorageState::default())
        };
        let a = cache.get_or_make("login", make).await.unwrap();
        let b = cache.get_or_make("login", make).await.unwrap();
        assert_eq!((a.generation, b.generation), (1, 1));
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 1);
        cache.invalidate("login", 0).await; // stale generation: ignored
        assert_eq!(
            cache.get_or_make("login", make).await.unwrap().generation,
            1
        );
        cache.invalidate("login", 1).await;
        assert_eq!(
            cache.get_or_make("login", make).await.unwrap().generation,
            2
        );
        assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
