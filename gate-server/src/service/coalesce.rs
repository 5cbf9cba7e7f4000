//! Reads of one key, coalesced without ever answering from the past. Callers of
//! [`Coalesced::read`] for the same key queue behind one lock; the holder reads the store, and
//! each caller after it takes that answer if the read *started after the caller arrived* (so it
//! saw every write finished before the caller asked), or reads again itself. With many clients
//! polling one commit's status, one database read answers all who arrived while the previous
//! one was in flight, instead of each making its own; a lone caller reads as before.
//!
//! A caller may also bring a *stamp* of the store's state (something that changes with every
//! commit, read without a query): when it equals the stamp taken before the last read began,
//! nothing was written since, and that read's answer is still current without a read at all.
//!
//! Failed reads are not shared: the next caller reads for itself. Bounded: when full, the map
//! of keys starts again empty (a caller holding a dropped slot finishes normally).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Keys kept at most.
const CAPACITY: usize = 4096;

/// The last successful read of a key: the tick it started at, the stamp taken before it, and
/// its answer.
struct Last<S, V> {
    started: u64,
    stamp: Option<S>,
    value: V,
}

type Slot<S, V> = Arc<tokio::sync::Mutex<Option<Last<S, V>>>>;

pub(super) struct Coalesced<S, V> {
    /// Ticks order arrivals and read starts.
    clock: AtomicU64,
    slots: Mutex<HashMap<String, Slot<S, V>>>,
}

impl<S, V> Default for Coalesced<S, V> {
    fn default() -> Self {
        Coalesced {
            clock: AtomicU64::new(0),
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<S: Copy + PartialEq, V: Clone> Coalesced<S, V> {
    /// `read()`'s answer for `key`, or that of a read of the same key that started after this
    /// call did, or of the last read when `stamp()` is what it was before that read began.
    pub(super) async fn read<F, Fut, E>(
        &self,
        key: &str,
        stamp: impl Fn() -> Option<S>,
        read: F,
    ) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let arrived = self.clock.fetch_add(1, Ordering::SeqCst);
        let now = stamp();
        let slot = self.slot(key);
        let mut last = slot.lock().await;
        if let Some(last) = &*last {
            let unchanged = now.is_some() && now == last.stamp;
            if last.started > arrived || unchanged {
                return Ok(last.value.clone());
            }
        }
        let before = stamp();
        let started = self.clock.fetch_add(1, Ordering::SeqCst);
        let value = read().await?;
        *last = Some(Last {
            started,
            stamp: before,
            value: value.clone(),
        });
        Ok(value)
    }

    fn slot(&self, key: &str) -> Slot<S, V> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.get(key) {
            return slot.clone();
        }
        if slots.len() >= CAPACITY {
            slots.clear();
        }
        slots.entry(key.to_string()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    fn no_stamp() -> Option<u8> {
        None
    }

    #[tokio::test]
    async fn callers_queued_behind_a_read_share_the_next_one_and_never_an_earlier_one() {
        let reads = Coalesced::<u8, usize>::default();
        let store = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(AtomicUsize::new(0));
        let (release, gate) = tokio::sync::watch::channel(false);
        // The first read is held open; eight callers queue behind it.
        let first = {
            let (store, calls, mut gate) = (store.clone(), calls.clone(), gate.clone());
            let reads = &reads;
            async move {
                reads
                    .read("k", no_stamp, || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        let value = store.load(Ordering::SeqCst);
                        gate.wait_for(|open| *open).await.unwrap();
                        Ok::<_, ()>(value)
                    })
                    .await
            }
        };
        let queued = (0..8).map(|_| {
            let (store, calls) = (store.clone(), calls.clone());
            let reads = &reads;
            async move {
                reads
                    .read("k", no_stamp, || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, ()>(store.load(Ordering::SeqCst))
                    })
                    .await
            }
        });
        let write_then_release = async {
            // Everyone has arrived (polled once) before the write and the release.
            tokio::task::yield_now().await;
            store.store(7, Ordering::SeqCst);
            release.send(true).unwrap();
        };
        let (first, queued, ()) =
            tokio::join!(first, futures::future::join_all(queued), write_then_release);
        // The first read started before the write; no caller that arrived after it started
        // takes its answer, so all of them see the write, from one more read.
        assert_eq!(first, Ok(0));
        assert!(queued.iter().all(|v| *v == Ok(7)), "{queued:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_caller_after_a_finished_read_reads_again_and_failures_are_not_shared() {
        let reads = Coalesced::<u8, u32>::default();
        assert_eq!(
            reads.read("k", no_stamp, || async { Ok::<_, ()>(1) }).await,
            Ok(1)
        );
        assert_eq!(
            reads.read("k", no_stamp, || async { Ok::<_, ()>(2) }).await,
            Ok(2)
        );
        assert_eq!(
            reads
                .read("k", no_stamp, || async { Err::<u32, _>("down") })
                .await,
            Err("down")
        );
        assert_eq!(
            reads
                .read("k", no_stamp, || async { Ok::<_, &str>(3) })
                .await,
            Ok(3)
        );
        // Keys are apart.
        assert_eq!(
            reads.read("j", no_stamp, || async { Ok::<_, ()>(9) }).await,
            Ok(9)
        );
    }

    #[tokio::test]
    async fn an_unchanged_stamp_answers_without_a_read_and_a_changed_one_reads() {
        let reads = Coalesced::<u8, u32>::default();
        let stamp = std::sync::atomic::AtomicU8::new(1);
        let now = || Some(stamp.load(Ordering::SeqCst));
        assert_eq!(
            reads.read("k", now, || async { Ok::<_, ()>(1) }).await,
            Ok(1)
        );
        // Nothing committed since: the last answer, and `read` is never called.
        assert_eq!(reads.read("k", now, || async { Err(()) }).await, Ok(1));
        stamp.store(2, Ordering::SeqCst);
        assert_eq!(
            reads.read("k", now, || async { Ok::<_, ()>(2) }).await,
            Ok(2)
        );
        // No stamp (it could not be read): always a read.
        assert_eq!(
            reads.read("k", no_stamp, || async { Ok::<_, ()>(3) }).await,
            Ok(3)
        );
        assert_eq!(
            reads.read("k", no_stamp, || async { Ok::<_, ()>(4) }).await,
            Ok(4)
        );
    }

    #[test]
    fn it_stays_bounded() {
        let reads = Coalesced::<u8, u32>::default();
        for i in 0..CAPACITY + 10 {
            reads.slot(&i.to_string());
        }
        assert!(reads.slots.lock().unwrap().len() <= CAPACITY);
    }
}
