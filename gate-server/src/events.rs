//! The server's one event stream: what the service did, announced once, after the transaction
//! that did it committed. Subscribers — the commit-status publisher, metrics, the event stream
//! of the API (`GET /api/v1/events`), and the deploy controller and digest to come — react to
//! these instead of being called from each place a run changes.
//!
//! Two kinds of subscriber: [`Observer`]s are called inline and must be cheap and never block
//! (metrics counters); everything else [`Events::subscribe`]s to a bounded broadcast channel.
//! A receiver that falls behind loses the oldest events (it is told how many) and never slows
//! the service; effects that must not be lost are kept durable in the store and the events
//! only trigger them (see [`crate::store::Store::changed_commits`]).

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::model::{DeployPhase, Outcome, RunState};
use crate::store::RunRecord;
use crate::verdict::CommitVerdict;

/// Events a slow receiver may fall behind by before it loses the oldest.
const CAPACITY: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A run was created and its scenarios queued.
    RunQueued { run: RunFacts },
    /// A scenario job has its final result.
    ScenarioFinished(ScenarioFinished),
    /// A run reached its final state. Announced exactly once per run, by whichever server
    /// finished it.
    RunFinished { run: RunFacts },
    /// A commit's combined verdict, after a run of it was queued, finished or cancelled.
    VerdictChanged(Arc<CommitVerdict>),
    /// A deployment changed: phase, step, weight, or a new decision of the analysis.
    DeploymentChanged(DeploymentFacts),
    /// A service serves another version outside a deployment (a rollback to an earlier one).
    ServingChanged { service: String, version: String },
    /// Deployments and incidents from outside gate were recorded.
    HistoryRecorded { deployments: u32, incidents: u32 },
}

/// What an event says about a deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentFacts {
    pub id: String,
    pub service: String,
    pub version: String,
    pub phase: DeployPhase,
    pub step: Option<u32>,
    /// Percent of traffic to the new version.
    pub weight: u8,
    /// What changed, in words.
    pub summary: String,
}

/// What an event says about a run (not its scenario sources).
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    pub id: String,
    pub commit: String,
    pub branch: Option<String>,
    pub state: RunState,
    pub reason: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

impl RunFacts {
    pub fn of(run: &RunRecord) -> RunFacts {
        RunFacts {
            id: run.id.clone(),
            commit: run.commit.clone(),
            branch: run.branch.clone(),
            state: run.state,
            reason: run.reason.clone(),
            created_at: run.created_at,
            started_at: run.started_at,
            finished_at: run.finished_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioFinished {
    pub run_id: String,
    pub job_id: String,
    pub scenario: String,
    pub outcome: Outcome,
    pub duration_ms: u64,
}

/// Called inline for every event: must be cheap and must not block.
pub trait Observer: Send + Sync {
    fn observe(&self, event: &Event);
}

/// The sending side, shared by the service. Cheap to clone.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<Event>,
    observers: Arc<Vec<Arc<dyn Observer>>>,
}

impl Events {
    pub fn new(observers: Vec<Arc<dyn Observer>>) -> Events {
        Events {
            sender: broadcast::channel(CAPACITY).0,
            observers: Arc::new(observers),
        }
    }

    /// Announces `event` to the observers and every current receiver.
    pub fn emit(&self, event: Event) {
        for observer in self.observers.iter() {
            observer.observe(&event);
        }
        // No receiver is not an error: nobody listens right now.
        let _ = self.sender.send(event);
    }

    /// Events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    struct Count(Mutex<usize>);
    impl Observer for Count {
        fn observe(&self, _: &Event) {
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        }
    }

    fn finished(n: usize) -> Event {
        Event::ScenarioFinished(ScenarioFinished {
            run_id: "r".into(),
            job_id: format!("j{n}"),
            scenario: "s".into(),
            outcome: Outcome::Passed,
            duration_ms: 1,
        })
    }

    #[test]
    fn a_lagging_receiver_loses_old_events_and_never_blocks_the_sender() {
        let count = Arc::new(Count(Mutex::new(0)));
        let events = Events::new(vec![count.clone()]);
        let mut slow = events.subscribe();
        for n in 0..CAPACITY + 10 {
            events.emit(finished(n));
        }
        assert_eq!(
            *count.0.lock().unwrap_or_else(|p| p.into_inner()),
            CAPACITY + 10
        );
        assert!(matches!(
            slow.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(10))
        ));
        assert_eq!(slow.try_recv().ok(), Some(finished(10)));
    }
}
