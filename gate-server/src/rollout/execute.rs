//! Carrying out a deployment's commands against its router: routing the canary's share,
//! starting a step's window from the router's counters, switching synthetic checks on and off.
//! Commands run in order; the first that fails stays pending with the rest, to be tried
//! again, so a later command (the down hook) never runs before an earlier one (traffic off the
//! canary) took effect. Down hooks are left to the controller: they take time.

use gate_deploy::{Command, Phase};
use gate_traffic::{AnyRouter, Backend, RouterError, TrafficRouter};

use super::progress::{Baseline, Progress};
use crate::store::DeploymentRecord;

/// The stable and canary backends of a deployment.
pub fn backends(record: &DeploymentRecord) -> Option<(Backend, Option<Backend>)> {
    let from = record.from.as_ref()?;
    let stable = Backend::new(from.version.clone(), from.url.clone());
    let canary = record
        .url
        .as_ref()
        .map(|url| Backend::new(record.version.clone(), url.clone()));
    Some((stable, canary))
}

/// Routes as the stored state says: the canary's weight, or (promoted) the new version alone,
/// or (otherwise over) the old version alone. Used after every transition and to restore a
/// router that restarted or that a concurrent writer left behind.
pub async fn route_as_stored(
    router: &AnyRouter,
    record: &DeploymentRecord,
    progress: &Progress,
) -> Result<(), RouterError> {
    let Some((stable, canary)) = backends(record) else {
        return Ok(());
    };
    match (progress.machine.phase, canary) {
        (Phase::Promoted, Some(canary)) => router.route(&canary, None, 0).await,
        (Phase::Canary { .. }, Some(canary)) => {
            router.route(&stable, Some(&canary), progress.weight).await
        }
        (Phase::Pending, Some(canary)) => router.route(&stable, Some(&canary), 0).await,
        _ => router.route(&stable, None, 0).await,
    }
}

/// Carries out the pending commands that need no waiting, in order, until one fails or one
/// must be left to the controller (a down hook). Returns the first error.
pub async fn run_quick(
    router: &AnyRouter,
    record: &DeploymentRecord,
    progress: &mut Progress,
    now: i64,
) -> Result<(), RouterError> {
    while let Some(command) = progress.pending.first().copied() {
        match command {
            Command::Route { canary_weight } => {
                progress.weight = canary_weight;
                route_as_stored(router, record, progress).await?;
            }
            Command::StartWindow => {
                let (stable, _) = backends(record).unzip();
                if let Some(stable) = stable {
                    let sample = router
                        .sample(&stable.version, Some(record.version.as_str()))
                        .await?;
                    progress.baseline = Some(Baseline { at: now, sample });
                }
                progress.synthetic.tally = Default::default();
            }
            Command::StartSynthetic => progress.synthetic.active = true,
            Command::StopSynthetic => {
                progress.synthetic.active = false;
                progress.synthetic.run = None;
            }
            Command::RunDownHook => return Ok(()),
        }
        progress.pending.remove(0);
    }
    Ok(())
}
