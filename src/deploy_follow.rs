//! Follows a deployment until it is over: reads it again whenever the server's event stream
//! says it changed, and every few seconds regardless (events are not stored, and a stream can
//! drop); hands each reading to the [`Progress`] display and ticks it every second so the
//! step's countdown moves. Rides out a server restart; gives up when the server stays away.

use std::time::{Duration, Instant};

use gate_wire::DeploymentView;

use crate::api::{Api, Failure};
use crate::deploy_progress::Progress;
use crate::deploy_text::now_ms;
use crate::event_stream::Listener;

/// Read the deployment at least this often, events or not.
const REREAD: Duration = Duration::from_secs(5);
/// How long the server may stay unreachable before following gives up.
const OUTAGE_LIMIT: Duration = Duration::from_secs(120);

/// How following ended.
pub enum Followed {
    /// The deployment is over: promoted, rolled back, aborted or failed.
    Over(Box<DeploymentView>),
    /// Ctrl-C: the deployment goes on without us.
    Interrupted,
    /// The server stopped answering (for too long), or refused to show the deployment.
    Lost(Failure),
}

pub async fn follow(api: &Api, id: &str, progress: &mut Progress) -> Followed {
    let listener = Listener::start(api.clone(), id.to_string());
    let ended = watch(api, id, progress, &listener).await;
    listener.stop().await;
    progress.finish();
    ended
}

async fn watch(api: &Api, id: &str, progress: &mut Progress, listener: &Listener) -> Followed {
    let mut reread = tokio::time::interval(REREAD);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut unreachable_since: Option<Instant> = None;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            _ = &mut interrupted => return Followed::Interrupted,
            _ = tick.tick() => {
                progress.tick(now_ms());
                continue;
            }
            () = listener.changed.notified() => {}
            _ = reread.tick() => {}
        }
        match api.get::<DeploymentView>(&["deployments", id], &[]).await {
            Ok(view) => {
                if unreachable_since.take().is_some() {
                    progress.note("the gate server answers again");
                }
                progress.show(&view, now_ms());
                if view.phase.is_final() {
                    return Followed::Over(Box::new(view));
                }
            }
            Err(failure @ Failure::Refused { .. }) => return Followed::Lost(failure),
            Err(failure) => {
                let since = *unreachable_since.get_or_insert_with(|| {
                    progress.note(&format!("{failure}; trying again"));
                    Instant::now()
                });
                if since.elapsed() >= OUTAGE_LIMIT {
                    return Followed::Lost(failure);
                }
            }
        }
    }
}
