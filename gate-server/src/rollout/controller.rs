//! The deploy controller: a task per server that claims the deployments in progress no live
//! server drives (a claim that expires, so a killed server's deployments are taken over), and a
//! driver task per claimed deployment that walks it through its phases: runs the up hook and
//! registers the new version with the router; during the canary, keeps the router's watchdog
//! alive, reads the router's counters every interval and feeds the window since the step began
//! to the state machine (through the service, like every change); runs synthetic browser
//! checks against the canary; carries out commands left pending (a failed route is tried
//! again, a down hook runs after traffic left the version). Every task is owned here and
//! stopped on shutdown, which releases the claims.

use std::collections::HashSet;
use std::time::Duration;

use gate_deploy::{Command, Counts, Input, Phase, Window};
use gate_traffic::{Backend, TrafficRouter, VersionCounts};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::execute::{backends, route_as_stored, run_quick};
use super::hooks::{self, HookVars};
use super::progress::{Baseline, Progress};
use crate::model::RunState;
use crate::service::{Service, ServiceError, Submission};
use crate::store::{DeploymentRecord, LogKind, LogLine, now_ms};

/// How often claims are renewed and new deployments looked for.
const CLAIM_EVERY: Duration = Duration::from_secs(1);
/// How long a claim lasts without renewal.
const CLAIM_FOR: Duration = Duration::from_secs(5);
/// Failed router calls in a row after which the router counts as lost.
const ROUTER_FAILURES: u32 = 3;

/// Drives deployments until `shutdown`.
pub async fn run(service: Service, shutdown: CancellationToken) {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
    let owner = format!("controller@{host}:{}", std::process::id());
    let mut drivers: JoinSet<String> = JoinSet::new();
    let mut driving: HashSet<String> = HashSet::new();
    let stop = shutdown.child_token();
    loop {
        let until = now_ms() + CLAIM_FOR.as_millis() as i64;
        match service.store().claim_deployments(&owner, until).await {
            Ok(ids) => {
                for id in ids {
                    if driving.insert(id.clone()) {
                        let (service, stop) = (service.clone(), stop.clone());
                        drivers.spawn(async move {
                            drive(&service, &id, &stop).await;
                            id
                        });
                    }
                }
            }
            Err(err) => tracing::warn!("cannot claim deployments: {err}"),
        }
        tokio::select! {
            () = service.rollouts().notified() => {}
            () = tokio::time::sleep(CLAIM_EVERY) => {}
            Some(done) = drivers.join_next(), if !drivers.is_empty() => {
                if let Ok(id) = done {
                    driving.remove(&id);
                    let _ = service.store().release_deployment(&id, &owner).await;
                }
            }
            () = shutdown.cancelled() => break,
        }
    }
    stop.cancel();
    while let Some(done) = drivers.join_next().await {
        if let Ok(id) = done {
            let _ = service.store().release_deployment(&id, &owner).await;
        }
    }
}

/// What a driver remembers between rounds.
#[derive(Default)]
struct Driver {
    /// Whether this driver has looked at the deployment yet (a first look at a canary is a
    /// resumption: after a restart, or on another server).
    looked: bool,
    router_failures: u32,
    /// Keeps the router's watchdog fed during the canary, apart from the rounds, so a slow
    /// round (a busy database) is not taken for a dead controller.
    heartbeat: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(task) = self.heartbeat.take() {
            task.abort();
        }
    }
}

/// Drives one deployment until it is over (and its last commands are carried out), or `stop`.
async fn drive(service: &Service, id: &str, stop: &CancellationToken) {
    let mut driver = Driver::default();
    loop {
        let pause = match step(service, id, &mut driver).await {
            Ok(Some(pause)) => pause,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(deployment = %id, "{err}");
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = stop.cancelled() => return,
        }
    }
}

/// One round of a deployment; the pause before the next, or `None` when there is nothing left.
async fn step(
    service: &Service,
    id: &str,
    driver: &mut Driver,
) -> Result<Option<Duration>, ServiceError> {
    let Some(record) = service.store().deployment(id).await? else {
        return Ok(None);
    };
    let mut progress = Progress::from_json(&record.machine)?;
    let config = service.service_config(&record.service)?.clone();
    let Some(router) = service.routers().get(&record.service).cloned() else {
        return Err(ServiceError::Internal(format!(
            "no router for service {}",
            record.service
        )));
    };
    let policy: gate_deploy::CanaryPolicy = serde_json::from_str(&record.policy)
        .map_err(|e| ServiceError::Internal(format!("deployment {id}: stored policy: {e}")))?;
    let tick = policy
        .interval
        .min(config.watchdog / 3)
        .max(Duration::from_millis(100));

    // Commands left from the last transition come first, in order.
    if !progress.pending.is_empty() {
        let before = progress.to_json();
        if let Err(err) = run_quick(&router, &record, &mut progress, now_ms()).await {
            service
                .save_progress(
                    &record,
                    &progress,
                    vec![note(format!("router: {err}; retrying"))],
                )
                .await?;
            return Ok(Some(Duration::from_secs(1)));
        }
        if progress.pending.first() == Some(&Command::RunDownHook) {
            let canary = record.version.clone();
            let log = match &config.hooks.down {
                Some(down) => {
                    let vars = HookVars {
                        service: &record.service,
                        version: &canary,
                        commit: &record.commit,
                    };
                    let redactor = service.config().redactor();
                    let run =
                        hooks::run(down, &vars, &config.dir, config.hooks.timeout, &redactor).await;
                    vec![hook_line(&run)]
                }
                None => Vec::new(),
            };
            progress.pending.remove(0);
            service.save_progress(&record, &progress, log).await?;
            return Ok(Some(Duration::ZERO));
        }
        if progress.to_json() != before {
            service
                .save_progress(&record, &progress, Vec::new())
                .await?;
            return Ok(Some(Duration::ZERO));
        }
    }
    let first_look = !driver.looked;
    driver.looked = true;
    if !matches!(progress.machine.phase, Phase::Canary { .. })
        && let Some(task) = driver.heartbeat.take()
    {
        // The canary is over: stop feeding the watchdog, then make sure it is disarmed (a
        // heartbeat in flight may have armed it again after the transition disarmed it).
        task.abort();
        let _ = task.await;
        if let Err(err) = router.disarm().await {
            tracing::warn!(deployment = %id, "cannot disarm the router's watchdog: {err}");
        }
    }
    if record.phase.is_final() {
        return Ok(None);
    }
    match progress.machine.phase {
        Phase::Pending => pending(service, &record, &config, &router).await.map(Some),
        Phase::Canary { .. } => {
            if first_look {
                // A canary this driver did not start (after a restart, or on another server):
                // make the router match what is stored before anything else.
                service
                    .log(
                        &record.id,
                        LogKind::Note,
                        "resumed by this server's controller".into(),
                    )
                    .await;
                if let Err(err) = route_as_stored(&router, &record, &progress).await {
                    tracing::warn!(deployment = %id, "cannot restore the router: {err}");
                }
            }
            if router.has_watchdog() && driver.heartbeat.is_none() {
                let (router, timeout, id) = (router.clone(), config.watchdog, id.to_string());
                driver.heartbeat = Some(tokio::spawn(async move {
                    loop {
                        if let Err(err) = router.heartbeat(timeout).await {
                            tracing::warn!(deployment = %id, "heartbeat: {err}");
                        }
                        tokio::time::sleep(timeout / 4).await;
                    }
                }));
            }
            let observed = observe(service, &record, &mut progress, &router, &config).await;
            match observed {
                Ok(input) => {
                    driver.router_failures = 0;
                    if let Some(input) = input {
                        service
                            .transition(id, move |_, _| Some(input.clone()))
                            .await?;
                    }
                }
                Err(err) => {
                    driver.router_failures += 1;
                    tracing::warn!(deployment = %id, "{err}");
                    if driver.router_failures >= ROUTER_FAILURES {
                        let reason = format!("the router does not answer: {err}");
                        service
                            .transition(id, move |_, _| {
                                Some(Input::RouterLost {
                                    at: now_ms(),
                                    reason: reason.clone(),
                                })
                            })
                            .await?;
                    }
                }
            }
            Ok(Some(tick))
        }
        _ => Ok(None),
    }
}

/// The pending phase: bring the version up, register it with the router at weight 0, start.
async fn pending(
    service: &Service,
    record: &DeploymentRecord,
    config: &crate::config::ServiceConfig,
    router: &gate_traffic::AnyRouter,
) -> Result<Duration, ServiceError> {
    let Some(url) = &record.url else {
        service
            .log(
                &record.id,
                LogKind::Hook,
                format!("bringing {} up", record.version),
            )
            .await;
        let vars = HookVars {
            service: &record.service,
            version: &record.version,
            commit: &record.commit,
        };
        let redactor = service.config().redactor();
        let run = hooks::run(
            &config.hooks.up,
            &vars,
            &config.dir,
            config.hooks.timeout,
            &redactor,
        )
        .await;
        let line = hook_line(&run);
        let url = run.url().filter(|_| run.succeeded());
        match url {
            Some(url) => {
                service.version_up(record, &url, vec![line]).await?;
            }
            None => {
                let reason = if run.succeeded() {
                    format!(
                        "{}, but its last line of output is not the version's URL",
                        run.summary()
                    )
                } else {
                    run.summary()
                };
                service.log_lines(&record.id, vec![line]).await;
                service
                    .transition(&record.id, move |_, _| {
                        Some(Input::HookFailed {
                            at: now_ms(),
                            reason: reason.clone(),
                        })
                    })
                    .await?;
            }
        }
        return Ok(Duration::ZERO);
    };
    let Some((stable, _)) = backends(record) else {
        return Err(ServiceError::Internal(format!(
            "deployment {} has no stable version to start from",
            record.id
        )));
    };
    let canary = Backend::new(record.version.clone(), url.clone());
    if let Err(err) = router.route(&stable, Some(&canary), 0).await {
        service
            .log(
                &record.id,
                LogKind::Note,
                format!("cannot register {} with the router: {err}", record.version),
            )
            .await;
        return Ok(Duration::from_secs(1));
    }
    service
        .transition(&record.id, |_, _| Some(Input::Ready { at: now_ms() }))
        .await?;
    Ok(Duration::ZERO)
}

/// Reads the router and the synthetic checks; the observation to feed the machine, if any.
async fn observe(
    service: &Service,
    record: &DeploymentRecord,
    progress: &mut Progress,
    router: &gate_traffic::AnyRouter,
    config: &crate::config::ServiceConfig,
) -> Result<Option<Input>, String> {
    let (stable, _) = backends(record).ok_or("no stable version")?;
    let sample = router
        .sample(&stable.version, Some(record.version.as_str()))
        .await
        .map_err(|e| e.to_string())?;
    let now = now_ms();
    let Some(baseline) = &progress.baseline else {
        progress.baseline = Some(Baseline { at: now, sample });
        let _ = service.save_progress(record, progress, Vec::new()).await;
        return Ok(None);
    };
    let Some(interval) = sample.since(&baseline.sample) else {
        if let Some(fallback) = sample.fallbacks.last()
            && fallback.at_ms as i64 >= record.created_at
        {
            return Ok(Some(Input::RouterLost {
                at: now,
                reason: format!(
                    "the router moved all traffic to {} by itself: {}",
                    fallback.to, fallback.reason
                ),
            }));
        }
        // The router's counters started again (it restarted): a new window from here.
        progress.baseline = Some(Baseline { at: now, sample });
        let _ = service
            .save_progress(
                record,
                progress,
                vec![note(
                    "the router's counters restarted: the step's window starts again".into(),
                )],
            )
            .await;
        return Ok(None);
    };
    if let Some(fallback) = interval.fallbacks.last() {
        return Ok(Some(Input::RouterLost {
            at: now,
            reason: format!(
                "the router moved all traffic to {} by itself: {}",
                fallback.to, fallback.reason
            ),
        }));
    }
    synthetic(service, record, progress, config).await;
    let counts = |c: &VersionCounts| Counts {
        requests: c.requests,
        errors: c.errors,
        p95_ms: c.latency_p95_ms(),
    };
    Ok(Some(Input::Observed {
        at: now,
        window: Window {
            canary: counts(&interval.canary),
            stable: counts(&interval.stable),
        },
        synthetic: progress.synthetic.tally.clone(),
    }))
}

/// Keeps one synthetic run going against the canary while checks are on, and counts them.
async fn synthetic(
    service: &Service,
    record: &DeploymentRecord,
    progress: &mut Progress,
    config: &crate::config::ServiceConfig,
) {
    if !progress.synthetic.active || progress.synthetic.disabled.is_some() {
        return;
    }
    let before = progress.to_json();
    let mut log = Vec::new();
    if let Some(run) = progress.synthetic.run.clone() {
        match service.run(&run).await {
            Ok((run_record, _)) if run_record.state.is_final() => {
                progress.synthetic.tally.runs += 1;
                if run_record.state != RunState::Passed {
                    progress.synthetic.tally.failed += 1;
                    progress.synthetic.tally.last_failed_run = Some(run.clone());
                    log.push(note(format!(
                        "synthetic check run {run} against the canary ended {}",
                        run_record.state
                    )));
                }
                progress.synthetic.run = None;
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(deployment = %record.id, "synthetic run {run}: {err}"),
        }
    }
    if progress.synthetic.run.is_none()
        && let Some(url) = &record.url
    {
        let tag = config
            .canary
            .synthetic_tag
            .clone()
            .unwrap_or_else(|| "canary".to_string());
        if tag.is_empty() {
            progress.synthetic.disabled = Some("synthetic-tag is empty".into());
        } else {
            let submission = Submission {
                commit: record.commit.clone(),
                base_url: url.clone(),
                tags: vec![tag.clone()],
                rerun: true,
                synthetic: true,
                ..Submission::default()
            };
            match service.submit(submission).await {
                Ok(run) => progress.synthetic.run = Some(run.run.id),
                Err(ServiceError::Invalid { .. }) => {
                    let why = format!("no scenario is tagged `{tag}`: no synthetic checks");
                    log.push(note(why.clone()));
                    progress.synthetic.disabled = Some(why);
                }
                Err(err) => {
                    tracing::warn!(deployment = %record.id, "cannot start a synthetic run: {err}")
                }
            }
        }
    }
    if progress.to_json() != before {
        let _ = service.save_progress(record, progress, log).await;
    }
}

fn note(text: String) -> LogLine {
    LogLine {
        at: now_ms(),
        kind: LogKind::Note,
        text,
        data: None,
    }
}

/// A hook's summary and output as one log line.
fn hook_line(run: &hooks::HookRun) -> LogLine {
    let mut text = run.summary();
    for line in &run.output {
        text.push_str("\n  ");
        text.push_str(line);
    }
    LogLine {
        at: now_ms(),
        kind: LogKind::Hook,
        text,
        data: None,
    }
}
