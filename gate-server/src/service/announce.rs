//! What the service announces after a change has committed. Every announcement of a run's
//! end goes through [`Service::finished`], so each run is announced finished exactly once:
//! by the one transaction that gave it its final state.

use std::sync::Arc;

use crate::events::{Event, RunFacts};
use crate::store::RunRecord;
use crate::verdict;

use super::Service;

impl Service {
    pub(super) async fn announce_queued(&self, run: RunFacts) {
        let commit = run.commit.clone();
        self.events.emit(Event::RunQueued { run });
        self.verdict_changed(&commit).await;
    }

    /// A run reached its final state.
    pub(super) async fn finished(&self, run: &RunRecord) {
        tracing::info!(run = %run.id, commit = %run.commit, state = %run.state, "run finished");
        self.events.emit(Event::RunFinished {
            run: RunFacts::of(run),
        });
        self.verdict_changed(&run.commit).await;
    }

    /// Announces the commit's verdict as it is now. The durable record that it changed is the
    /// store's mark, written with the change; if the verdict cannot be read now, the mark
    /// still brings the status publisher round to it.
    async fn verdict_changed(&self, sha: &str) {
        match self.store.verdict_runs(sha).await {
            Ok(runs) => {
                let verdict = verdict::combine(sha, &runs);
                self.events.emit(Event::VerdictChanged(Arc::new(verdict)));
            }
            Err(err) => tracing::warn!(%sha, "cannot read the commit's verdict: {err}"),
        }
    }
}
