//! Commit verdicts kept in memory, so that the status a merge check polls costs one indexed
//! read instead of an aggregate over every job of the commit. An entry holds the commit's runs
//! with their revisions as they were read before its verdict; it is served while the store
//! still shows exactly those (any change to a run or its jobs bumps its revision, a new run adds
//! an id), so it is correct with several servers on one database. Bounded: when full, it
//! starts again empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::verdict::CommitVerdict;

/// Entries kept at most.
const CAPACITY: usize = 4096;

/// The commit's runs and their revisions.
pub(super) type Fingerprint = Vec<(String, i64)>;

#[derive(Clone, Default)]
pub(super) struct VerdictCache(Arc<Mutex<HashMap<String, (Fingerprint, CommitVerdict)>>>);

impl VerdictCache {
    /// The verdict kept for `sha`, if it was computed from `fingerprint`.
    pub(super) fn get(&self, sha: &str, fingerprint: &Fingerprint) -> Option<CommitVerdict> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(sha)
            .filter(|(kept, _)| kept == fingerprint)
            .map(|(_, verdict)| verdict.clone())
    }

    /// Keeps `verdict`, computed after `fingerprint` was read.
    pub(super) fn put(&self, sha: &str, fingerprint: Fingerprint, verdict: &CommitVerdict) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CAPACITY && !map.contains_key(sha) {
            map.clear();
        }
        map.insert(sha.to_string(), (fingerprint, verdict.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CommitState;

    fn verdict(description: &str) -> CommitVerdict {
        CommitVerdict {
            sha: "a".repeat(40),
            state: CommitState::Success,
            description: description.into(),
            runs: Vec::new(),
            flaky: Vec::new(),
            failing: Vec::new(),
        }
    }

    #[test]
    fn an_entry_is_served_only_for_the_runs_it_was_computed_from() {
        let cache = VerdictCache::default();
        let sha = "a".repeat(40);
        let at = |revision| vec![("run-1".to_string(), revision)];
        assert_eq!(cache.get(&sha, &at(3)), None);
        cache.put(&sha, at(3), &verdict("3 passed"));
        assert_eq!(cache.get(&sha, &at(3)), Some(verdict("3 passed")));
        // A result recorded, or a re-run created: recomputed.
        assert_eq!(cache.get(&sha, &at(4)), None);
        let rerun = vec![("run-1".to_string(), 3), ("run-2".to_string(), 0)];
        assert_eq!(cache.get(&sha, &rerun), None);
    }

    #[test]
    fn it_stays_bounded() {
        let cache = VerdictCache::default();
        for i in 0..CAPACITY + 10 {
            cache.put(&format!("{i:040}"), vec![], &verdict("x"));
        }
        assert!(cache.0.lock().unwrap().len() <= CAPACITY);
    }
}
