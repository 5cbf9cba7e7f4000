//! The server's use cases, in one place: submit a commit's build, read runs and verdicts,
//! cancel and re-run, and the lease protocol runners speak (lease, heartbeat, complete,
//! release). HTTP handlers, pages, the webhook, agents and the embedded pool all call this
//! layer and only translate its [`ServiceError`]s; none of them touches the store or announces
//! anything itself.
//!
//! After each change commits, the service announces it on the [`Events`] stream exactly once:
//! a run queued, a scenario finished, a run finished, a commit's verdict changed.
//!
//! - [`submit`]: checking a submission, snapshotting the suite, creating runs and re-runs.
//! - [`runs`]: reading runs, verdicts and artifacts; cancelling.
//! - [`jobs`]: the lease protocol.
//! - [`deploys`]: deploying services: deploy, promote, abort, roll back, read deployments.
//! - [`history`]: recording deployments and incidents from outside gate.
//! - `flow`: the release flow with its figures and risks; recording manual stages.
//! - [`parity`]: staging compared with production, the last result kept.
//! - [`report`]: the DORA metrics of a period, the weekly series and the digest's content.
//! - `digest_content`: what the weekly digest says ([`DigestContent`]); `digests`: queueing
//!   it (when due, or now) and reading its outbox.
//! - `verdict_cache`: commit verdicts in memory, checked against run revisions.
//! - `coalesce`: reads of one key queued behind another share its answer when it is new enough.
//! - `status_reads`: who reads commit statuses (the merge check's evidence).
//! - `announce`: what is announced after each kind of change.
//! - `error`: [`ServiceError`].

mod announce;
mod coalesce;
mod config_audit;
pub mod deploys;
mod digest_content;
mod digests;
mod error;
mod flow;
pub mod history;
pub mod jobs;
pub mod parity;
pub mod report;
mod review;
pub mod runs;
mod status_reads;
pub mod submit;
mod verdict_cache;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::ServerConfig;
use crate::events::Events;
use crate::rollout::routers::Routers;
use crate::store::Store;

pub use deploys::{DeployOrder, RollbackDone, RollbackTarget};
pub use digest_content::DigestContent;
pub use digests::DigestSent;
pub use error::ServiceError;
pub use jobs::Recorded;
pub use parity::{ParityOutcome, ParityRecord, ParityTrigger};
pub use runs::RunQuery;
pub use status_reads::StatusRead;
pub use submit::{Submission, Submitted};

/// The service: cheap to clone, shared by every caller.
#[derive(Clone)]
pub struct Service {
    store: Store,
    config: Arc<ServerConfig>,
    events: Events,
    /// Notified when jobs are queued or handed back: runners waiting for work wake up.
    work: Arc<Notify>,
    /// Each service's traffic router.
    routers: Routers,
    /// Notified when a deployment needs the controller (a new one, commands left to do).
    rollouts: Arc<Notify>,
    /// Notified when digests are queued: the digest delivery loop wakes up.
    digests: Arc<Notify>,
    /// What time the digest scheduler thinks it is.
    digest_clock: crate::digest::DigestClock,
    /// Status reads noted lately, per token.
    status_reads: status_reads::ReadLog,
    /// Commit verdicts, checked against the store's run revisions on each read.
    verdicts: verdict_cache::VerdictCache,
    /// The revision reads behind the verdicts, coalesced per commit.
    fingerprints: Arc<coalesce::Coalesced<crate::store::ChangeMarker, verdict_cache::Fingerprint>>,
}

impl Service {
    pub fn new(
        store: Store,
        config: Arc<ServerConfig>,
        events: Events,
        routers: Routers,
    ) -> Service {
        Service {
            store,
            events,
            work: Arc::new(Notify::new()),
            routers,
            rollouts: Arc::new(Notify::new()),
            digests: Arc::new(Notify::new()),
            digest_clock: match config.digest_now {
                Some(start) => crate::digest::DigestClock::starting_at(start),
                None => crate::digest::DigestClock::real(),
            },
            config,
            status_reads: Default::default(),
            verdicts: Default::default(),
            fingerprints: Default::default(),
        }
    }

    pub fn routers(&self) -> &Routers {
        &self.routers
    }

    pub fn rollouts(&self) -> &Notify {
        &self.rollouts
    }

    /// Notified when digests are queued.
    pub fn digests_queued(&self) -> &Notify {
        &self.digests
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    pub fn events(&self) -> &Events {
        &self.events
    }

    /// The store, for the subscribers that keep durable effects (the status publisher).
    pub fn store(&self) -> &Store {
        &self.store
    }
}
