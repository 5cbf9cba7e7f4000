//! Deploying services: a deploy (refused unless the commit's gate verdict is success, or an
//! admin overrides it), manual moves of a canary (promote, advance, abort, roll back), a
//! rollback of what serves, and reading deployments. Every change goes through [`Service::
//! transition`]: the pure state machine decides, the store keeps the change at the revision it
//! was decided on (with its log lines and audit entries), the router is set as the stored state
//! says, and the change is announced.

use gate_audit::{Action, NewEntry};
use gate_deploy::{Actor, CanaryPolicy, Input, Outcome, Phase, Transition};
use gate_traffic::TrafficRouter;

use super::submit::{commit_id, is_http_url};
use super::{Service, ServiceError};
use crate::auth::{Principal, Scope};
use crate::config::ServiceConfig;
use crate::events::{DeploymentFacts, Event};
use crate::model::{CommitState, DeployPhase};
use crate::rollout::execute::{route_as_stored, run_quick};
use crate::rollout::policy::policy;
use crate::rollout::progress::{Decision, Progress};
use crate::store::{
    DeploymentChange, DeploymentRecord, LogKind, LogLine, NewDeployment, Refused, Reverted,
    ServingVersion, new_id, now_ms,
};

/// Attempts at a change that keeps losing to concurrent writers.
const ATTEMPTS: u32 = 8;

/// A deploy request, checked by [`Service::deploy`].
#[derive(Debug, Clone)]
pub struct DeployOrder {
    pub service: String,
    pub version: String,
    pub commit: String,
    pub force: bool,
    pub reason: Option<String>,
    /// Made to fix a production problem (counts as rework in the DORA metrics).
    pub hotfix: bool,
    /// Other commits this version carries (since the one serving), as CI lists them: each
    /// counts for lead time.
    pub carries: Vec<String>,
}

/// Where a rollback goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackTarget {
    /// The canary in progress, if any; else the version that served before the current one.
    Previous,
    Version(String),
    /// The version serving at this time (unix ms).
    At(i64),
}

/// The phase of the store row for a machine phase.
pub fn stored_phase(phase: Phase) -> (DeployPhase, Option<u32>) {
    match phase {
        Phase::Pending => (DeployPhase::Pending, None),
        Phase::Canary { step, .. } => (DeployPhase::Canary, Some(step as u32)),
        Phase::Promoted => (DeployPhase::Promoted, None),
        Phase::RolledBack => (DeployPhase::RolledBack, None),
        Phase::Aborted => (DeployPhase::Aborted, None),
        Phase::Failed => (DeployPhase::Failed, None),
    }
}

fn actor_name(actor: &Actor) -> String {
    match actor {
        Actor::Gate => "gate".to_string(),
        Actor::Person(name) => name.clone(),
    }
}

/// The audit action a transition (made by `input`) is recorded as.
fn action_of(transition: &Transition, input: &Input) -> Action {
    match (transition.to, input) {
        (Phase::Canary { .. }, _) => Action::StepStarted,
        (Phase::Promoted, _) => Action::Promoted,
        (Phase::RolledBack, _) => Action::RolledBack,
        (Phase::Aborted, _) => Action::Aborted,
        (Phase::Failed, Input::RouterLost { .. }) => Action::RouterFellBack,
        (Phase::Failed, _) => Action::HookFailed,
        (Phase::Pending, _) => Action::VersionUp,
    }
}

impl Service {
    pub fn services(&self) -> &[ServiceConfig] {
        &self.config.services
    }

    pub(crate) fn service_config(&self, name: &str) -> Result<&ServiceConfig, ServiceError> {
        self.config
            .services
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .config
                    .services
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect();
                ServiceError::invalid(
                    "service",
                    if known.is_empty() {
                        format!(
                            "no service `{name}`: this server has no [[services]] in its gate.toml"
                        )
                    } else {
                        format!(
                            "no service `{name}`: this server deploys {}",
                            known.join(", ")
                        )
                    },
                )
            })
    }

    /// The version serving `service`: what the store knows, else (the first time) the
    /// configured `stable`, which is then recorded.
    pub async fn serving(&self, service: &str) -> Result<Option<ServingVersion>, ServiceError> {
        if let Some(serving) = self.store.serving(service).await? {
            return Ok(Some(serving));
        }
        let config = self.service_config(service)?;
        let Some(stable) = &config.stable else {
            return Ok(None);
        };
        let serving = ServingVersion {
            version: stable.version.clone(),
            url: stable.url.clone(),
            commit: None,
        };
        let entry = NewEntry {
            service: Some(service.to_string()),
            to_version: Some(stable.version.clone()),
            reason: Some("the version gate.toml names as stable, first seen".into()),
            ..NewEntry::new(now_ms(), "gate", Action::StableChanged)
        };
        self.store
            .set_serving(service, &serving, &[entry], None)
            .await?;
        Ok(Some(serving))
    }

    /// Starts a deployment of `order`'s version through its service's canary. Refused (and
    /// audited) unless the commit's gate verdict is success; `force` needs the admin scope and
    /// a reason, and is audited as an override.
    pub async fn deploy(
        &self,
        order: DeployOrder,
        who: &Principal,
    ) -> Result<DeploymentRecord, ServiceError> {
        let config = self.service_config(&order.service)?.clone();
        if !crate::config::is_version_name(&order.version) {
            return Err(ServiceError::invalid(
                "version",
                "a version label is letters, digits, `.`, `_` and `-`, e.g. v2",
            ));
        }
        let commit = commit_id("commit", &order.commit)?;
        let mut carries: Vec<String> = Vec::new();
        for (i, sha) in order.carries.iter().enumerate() {
            let sha = commit_id(&format!("commits[{i}]"), sha)?;
            if sha != commit && !carries.contains(&sha) {
                carries.push(sha);
            }
        }
        let reason = order.reason.clone().filter(|r| !r.trim().is_empty());
        if order.force {
            if !who.allows(Scope::Admin) {
                return Err(ServiceError::Forbidden(
                    "an override needs a token with the `admin` scope".into(),
                ));
            }
            if reason.is_none() {
                return Err(ServiceError::invalid(
                    "reason",
                    "say why the gate is overridden: the reason goes into the audit log",
                ));
            }
        }
        let now = now_ms();
        let entry = |action: Action, why: Option<String>| NewEntry {
            service: Some(order.service.clone()),
            to_version: Some(order.version.clone()),
            commit: Some(commit.clone()),
            reason: why,
            ..NewEntry::new(now, &who.name, action)
        };
        // The gate: the commit's combined verdict must be success.
        let verdict = match self.verdict(&commit).await {
            Ok(verdict) => Some(verdict),
            Err(ServiceError::NotFound(_)) => None,
            Err(err) => return Err(err),
        };
        let green = verdict
            .as_ref()
            .is_some_and(|v| v.state == CommitState::Success);
        // Every check that refuses is named at once, each with what to do about it.
        let mut refusals: Vec<(String, &str)> = Vec::new();
        if !green {
            let why = match &verdict {
                Some(v) => format!(
                    "the gate verdict of {} is {}: {}",
                    &commit[..12],
                    v.state,
                    v.description
                ),
                None => format!("commit {} has no gate run", &commit[..12]),
            };
            refusals.push((why, "Fix the commit and let its run pass"));
        }
        if let Some(why) = self.parity_hold().await? {
            tracing::warn!(service = %order.service, version = %order.version, "deploy held: {why}");
            refusals.push((
                why,
                "Make staging match production (`gate parity --config gate.toml` shows each difference) or allow the item in [parity] ignore",
            ));
        }
        let mut audit = Vec::new();
        if !refusals.is_empty() {
            let why = refusals
                .iter()
                .map(|(why, _)| why.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            if !order.force {
                self.store
                    .append_audit(&[entry(Action::DeployRefused, Some(why.clone()))])
                    .await?;
                let advice: Vec<&str> = refusals.iter().map(|(_, advice)| *advice).collect();
                return Err(ServiceError::Refused(format!(
                    "deploy refused: {why}. {}, or (admin) deploy with --force --reason",
                    advice.join("; ")
                )));
            }
            audit.push(entry(
                Action::Override,
                Some(format!(
                    "{why}; overridden: {}",
                    reason.clone().unwrap_or_default()
                )),
            ));
        }
        let serving = self.serving(&order.service).await?.ok_or_else(|| {
            ServiceError::invalid(
                "service",
                format!(
                    "gate does not know which version serves `{}`: set stable = {{ version = …, url = … }} in its [[services]] entry",
                    order.service
                ),
            )
        })?;
        if serving.version == order.version {
            return Err(ServiceError::invalid(
                "version",
                format!("{} already serves `{}`", order.version, order.service),
            ));
        }
        let policy = policy(&config.canary);
        let progress = Progress::new(now);
        let id = new_id();
        audit.insert(
            0,
            NewEntry {
                from_version: Some(serving.version.clone()),
                deployment: Some(id.clone()),
                ..entry(Action::DeployRequested, reason.clone())
            },
        );
        for e in &mut audit {
            e.deployment = Some(id.clone());
            e.from_version = Some(serving.version.clone());
        }
        let new = NewDeployment {
            id: id.clone(),
            service: order.service.clone(),
            version: order.version.clone(),
            commit: commit.clone(),
            from: Some(serving.clone()),
            machine: progress.to_json(),
            policy: serde_json::to_string(&policy).unwrap_or_default(),
            actor: who.name.clone(),
            reason,
            forced: order.force && !refusals.is_empty(),
            hotfix: order.hotfix,
            carries,
            log: vec![LogLine {
                at: now,
                kind: LogKind::Note,
                text: format!(
                    "{} asked to deploy {} ({}) of {}, replacing {}",
                    who.name,
                    order.version,
                    &commit[..12],
                    order.service,
                    serving.version
                ),
                data: None,
            }],
            audit,
        };
        match self.store.create_deployment(&new).await? {
            Ok(record) => {
                self.announce_deployment(&record, "deployment requested");
                self.rollouts.notify_one();
                Ok(record)
            }
            Err(Refused::InProgress(active)) => Err(ServiceError::Refused(format!(
                "`{}` has a deployment in progress ({} of {}, {}): promote, abort or roll it back first",
                order.service, active.id, active.version, active.phase
            ))),
        }
    }

    /// A deployment and its log.
    pub async fn deployment(
        &self,
        id: &str,
    ) -> Result<(DeploymentRecord, Vec<LogLine>), ServiceError> {
        let record = self
            .store
            .deployment(id)
            .await?
            .ok_or(ServiceError::NotFound("deployment"))?;
        let log = self.store.deployment_log(id).await?;
        Ok((record, log))
    }

    pub async fn deployments(
        &self,
        service: Option<&str>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<DeploymentRecord>, ServiceError> {
        if let Some(service) = service {
            self.service_config(service)?;
        }
        Ok(self.store.deployments(service, before, limit).await?)
    }

    /// Applies the input `make` gives for the deployment as it is now, and carries out what
    /// needs no waiting. `make` returns `None` when there is nothing to do. Retries when
    /// another writer changed the deployment in between.
    pub async fn transition(
        &self,
        id: &str,
        make: impl Fn(&DeploymentRecord, &Progress) -> Option<Input>,
    ) -> Result<DeploymentRecord, ServiceError> {
        for _ in 0..ATTEMPTS {
            let record = self
                .store
                .deployment(id)
                .await?
                .ok_or(ServiceError::NotFound("deployment"))?;
            let mut progress = Progress::from_json(&record.machine)?;
            let Some(input) = make(&record, &progress) else {
                return Ok(record);
            };
            let policy: CanaryPolicy = serde_json::from_str(&record.policy).map_err(|e| {
                ServiceError::Internal(format!("deployment {id}: stored policy: {e}"))
            })?;
            let outcome = gate_deploy::advance(&policy, &progress.machine, &input)
                .map_err(|refusal| ServiceError::Refused(refusal.to_string()))?;
            let change = self.change_for(&record, &mut progress, &outcome, &input);
            match self
                .store
                .change_deployment(id, record.revision, &change)
                .await?
            {
                Some(changed) => return self.carry_out(changed, progress, outcome).await,
                None => continue,
            }
        }
        Err(ServiceError::Refused(format!(
            "deployment {id} keeps changing under this request: try again"
        )))
    }

    /// The stored change an outcome makes.
    fn change_for(
        &self,
        record: &DeploymentRecord,
        progress: &mut Progress,
        outcome: &Outcome,
        input: &Input,
    ) -> DeploymentChange {
        let at = input.at();
        progress.machine = outcome.deployment.clone();
        progress.pending.extend(outcome.commands.iter().copied());
        if let (Some(judgement), Input::Observed { window, .. }) = (&outcome.judgement, input) {
            progress.decision = Some(Decision {
                at,
                judgement: judgement.clone(),
                window: *window,
            });
        }
        let mut change = DeploymentChange {
            machine: Some(progress.to_json()),
            commands_left: Some(!progress.pending.is_empty()),
            ..DeploymentChange::default()
        };
        if let Some(t) = &outcome.transition {
            let (phase, step) = stored_phase(t.to);
            change.phase = Some(phase);
            change.step = Some(step);
            if matches!(t.to, Phase::Canary { .. }) {
                change.exposed_at = Some(at);
            }
            if matches!(t.from, Phase::Canary { .. })
                && matches!(t.to, Phase::RolledBack | Phase::Failed)
            {
                change.detected_at = Some(at);
            }
            if t.to.is_over() {
                change.ended_by = Some(actor_name(&t.actor));
            }
            let mut text = format!("{} → {}: {}", t.from, t.to, t.cause);
            if let Some(evidence) = &t.evidence {
                text.push_str(&format!(" ({})", evidence.summary()));
            }
            change.log.push(LogLine {
                at,
                kind: LogKind::Transition,
                text,
                data: serde_json::to_string(t).ok(),
            });
            change.audit.push(NewEntry {
                service: Some(record.service.clone()),
                from_version: record.from.as_ref().map(|f| f.version.clone()),
                to_version: Some(record.version.clone()),
                commit: Some(record.commit.clone()),
                deployment: Some(record.id.clone()),
                reason: Some(t.cause.clone()),
                ..NewEntry::new(at, &actor_name(&t.actor), action_of(t, input))
            });
            if t.to == Phase::Promoted
                && let Some(url) = &record.url
            {
                change.serving = Some(ServingVersion {
                    version: record.version.clone(),
                    url: url.clone(),
                    commit: Some(record.commit.clone()),
                });
            }
        }
        change
    }

    /// After a change is stored: route as it says, run the quick commands, store what is left,
    /// announce.
    async fn carry_out(
        &self,
        record: DeploymentRecord,
        mut progress: Progress,
        outcome: Outcome,
    ) -> Result<DeploymentRecord, ServiceError> {
        let now = now_ms();
        let mut record = record;
        if let Some(router) = self.routers.get(&record.service) {
            let before = progress.to_json();
            if let Err(err) = run_quick(router, &record, &mut progress, now).await {
                tracing::warn!(deployment = %record.id, "{err}; the controller tries again");
                self.log(
                    &record.id,
                    LogKind::Note,
                    format!("router: {err}; retrying"),
                )
                .await;
            }
            if progress.machine.phase.is_over() {
                // The canary is over: the router need not watch for us any more.
                if let Err(err) = router.disarm().await {
                    tracing::warn!(deployment = %record.id, "cannot disarm the router's watchdog: {err}");
                }
            }
            if progress.to_json() != before {
                let change = DeploymentChange {
                    machine: Some(progress.to_json()),
                    commands_left: Some(!progress.pending.is_empty()),
                    recovered_at: recovered(&record, &progress, now_ms()),
                    ..DeploymentChange::default()
                };
                match self
                    .store
                    .change_deployment(&record.id, record.revision, &change)
                    .await?
                {
                    Some(updated) => record = updated,
                    None => {
                        // Someone moved on in between: make the router follow what is stored.
                        if let Some(latest) = self.store.deployment(&record.id).await? {
                            let stored = Progress::from_json(&latest.machine)?;
                            let _ = route_as_stored(router, &latest, &stored).await;
                            record = latest;
                        }
                    }
                }
            }
        }
        let what = outcome
            .transition
            .as_ref()
            .map(|t| format!("{} → {}", t.from, t.to))
            .or_else(|| outcome.judgement.as_ref().map(|j| j.summary()))
            .unwrap_or_else(|| "updated".into());
        self.announce_deployment(&record, &what);
        if !progress.pending.is_empty() {
            self.rollouts.notify_one();
        }
        Ok(record)
    }

    /// Stores `progress` (bookkeeping that is no transition: synthetic runs, a new baseline,
    /// commands carried out) at the record's revision. `None`: the deployment changed meanwhile.
    pub(crate) async fn save_progress(
        &self,
        record: &DeploymentRecord,
        progress: &Progress,
        log: Vec<LogLine>,
    ) -> Result<Option<DeploymentRecord>, ServiceError> {
        let change = DeploymentChange {
            machine: Some(progress.to_json()),
            commands_left: Some(!progress.pending.is_empty()),
            recovered_at: recovered(record, progress, now_ms()),
            log,
            ..DeploymentChange::default()
        };
        Ok(self
            .store
            .change_deployment(&record.id, record.revision, &change)
            .await?)
    }

    /// Records where the new version answers (its up hook said so).
    pub(crate) async fn version_up(
        &self,
        record: &DeploymentRecord,
        url: &str,
        log: Vec<LogLine>,
    ) -> Result<Option<DeploymentRecord>, ServiceError> {
        let change = DeploymentChange {
            url: Some(url.to_string()),
            log,
            audit: vec![NewEntry {
                service: Some(record.service.clone()),
                to_version: Some(record.version.clone()),
                commit: Some(record.commit.clone()),
                deployment: Some(record.id.clone()),
                reason: Some(format!("up at {url}")),
                ..NewEntry::new(now_ms(), "gate", Action::VersionUp)
            }],
            ..DeploymentChange::default()
        };
        Ok(self
            .store
            .change_deployment(&record.id, record.revision, &change)
            .await?)
    }

    /// A person's move on the service's deployment in progress.
    pub async fn steer(
        &self,
        id: &str,
        who: &Principal,
        make: impl Fn(i64, String) -> Input,
    ) -> Result<DeploymentRecord, ServiceError> {
        let current = self
            .store
            .deployment(id)
            .await?
            .ok_or(ServiceError::NotFound("deployment"))?;
        if current.phase.is_final() {
            return Err(ServiceError::Refused(format!(
                "deployment {id} is over ({}): there is nothing to move",
                current.phase
            )));
        }
        let name = who.name.clone();
        self.transition(id, |record, _| {
            (!record.phase.is_final()).then(|| make(now_ms(), name.clone()))
        })
        .await
    }

    /// `gate rollback`: all traffic at once to another version. A canary in progress is rolled
    /// back; otherwise the service goes back to an earlier version (the one before, a named
    /// one, or the one serving at a time), after which the rollback hook runs.
    pub async fn rollback(
        &self,
        service: &str,
        target: RollbackTarget,
        reason: &str,
        who: &Principal,
    ) -> Result<RollbackDone, ServiceError> {
        let config = self.service_config(service)?.clone();
        if reason.trim().is_empty() {
            return Err(ServiceError::invalid(
                "reason",
                "say why you roll back: the reason goes into the audit log",
            ));
        }
        if target == RollbackTarget::Previous
            && let Some(active) = self.store.active_deployment(service).await?
        {
            let reason = reason.to_string();
            let record = self
                .steer(&active.id, who, |at, actor| Input::Rollback {
                    at,
                    actor,
                    reason: reason.clone(),
                })
                .await?;
            return Ok(RollbackDone::Canary(Box::new(record)));
        }
        if let Some(active) = self.store.active_deployment(service).await? {
            return Err(ServiceError::Refused(format!(
                "`{service}` has a deployment in progress ({}): roll it back first (`gate rollback --service {service}` without --to)",
                active.id
            )));
        }
        let current = self.serving(service).await?.ok_or_else(|| {
            ServiceError::invalid(
                "service",
                format!("gate does not know what serves `{service}`"),
            )
        })?;
        let history = self.store.served(service).await?;
        let to = match &target {
            RollbackTarget::Previous => history
                .iter()
                .rev()
                .map(|p| &p.serving)
                .find(|s| s.version != current.version)
                .cloned(),
            RollbackTarget::Version(version) => history
                .iter()
                .rev()
                .map(|p| &p.serving)
                .find(|s| &s.version == version)
                .cloned(),
            RollbackTarget::At(at) => history
                .iter()
                .find(|p| p.since_ms <= *at && p.until_ms.is_none_or(|u| u > *at))
                .map(|p| p.serving.clone()),
        }
        .ok_or_else(|| {
            ServiceError::invalid(
                "to",
                match &target {
                    RollbackTarget::Previous => format!("`{service}` has served no other version"),
                    RollbackTarget::Version(v) => format!("`{service}` never served `{v}`"),
                    RollbackTarget::At(at) => format!(
                        "gate knows of no version serving `{service}` at {}",
                        crate::views::rfc3339(*at)
                    ),
                },
            )
        })?;
        if to.version == current.version {
            return Err(ServiceError::invalid(
                "to",
                format!("`{}` is serving `{service}` already", to.version),
            ));
        }
        if !is_http_url(&to.url) {
            return Err(ServiceError::Internal(format!(
                "stored URL of {} is not a URL",
                to.version
            )));
        }
        // Traffic first: the point of a rollback is that users stop seeing the bad version.
        let started = now_ms();
        if let Some(router) = self.routers.get(service) {
            let stable = gate_traffic::Backend::new(to.version.clone(), to.url.clone());
            router.route(&stable, None, 0).await.map_err(|err| {
                ServiceError::Unreachable(format!("the rollback did not reach the router: {err}"))
            })?;
        }
        let entry = NewEntry {
            service: Some(service.to_string()),
            from_version: Some(current.version.clone()),
            to_version: Some(to.version.clone()),
            commit: to.commit.clone(),
            reason: Some(reason.to_string()),
            ..NewEntry::new(now_ms(), &who.name, Action::RolledBack)
        };
        // Going back from the version a deployment promoted: that change failed.
        let reverted = history
            .last()
            .filter(|p| p.serving.version == current.version && p.deployment.is_some())
            .map(|_| Reverted {
                detected_at: started,
                recovered_at: now_ms(),
                by: who.name.clone(),
            });
        self.store
            .set_serving(service, &to, &[entry], reverted.as_ref())
            .await?;
        self.events.emit(Event::ServingChanged {
            service: service.to_string(),
            version: to.version.clone(),
        });
        if let Some(hook) = config.hooks.rollback.clone() {
            let (vars_version, commit) = (
                current.version.clone(),
                current.commit.clone().unwrap_or_default(),
            );
            let (dir, timeout, service) = (
                config.dir.clone(),
                config.hooks.timeout,
                service.to_string(),
            );
            let redactor = self.config.redactor();
            tokio::spawn(async move {
                let vars = crate::rollout::hooks::HookVars {
                    service: &service,
                    version: &vars_version,
                    commit: &commit,
                };
                let run = crate::rollout::hooks::run(&hook, &vars, &dir, timeout, &redactor).await;
                tracing::info!(%service, "rollback hook: {}", run.summary());
            });
        }
        Ok(RollbackDone::Serving { from: current, to })
    }

    pub(crate) async fn log(&self, id: &str, kind: LogKind, text: String) {
        let line = LogLine {
            at: now_ms(),
            kind,
            text,
            data: None,
        };
        self.log_lines(id, vec![line]).await;
    }

    pub(crate) async fn log_lines(&self, id: &str, lines: Vec<LogLine>) {
        if let Err(err) = self.store.log_deployment(id, &lines).await {
            tracing::warn!(deployment = %id, "cannot write the deployment's log: {err}");
        }
    }

    pub(crate) fn announce_deployment(&self, record: &DeploymentRecord, what: &str) {
        let weight = Progress::from_json(&record.machine)
            .map(|p| match p.machine.phase {
                Phase::Promoted => 100,
                Phase::Canary { .. } => p.weight,
                _ => 0,
            })
            .unwrap_or(0);
        self.events.emit(Event::DeploymentChanged(DeploymentFacts {
            id: record.id.clone(),
            service: record.service.clone(),
            version: record.version.clone(),
            phase: record.phase,
            step: record.step,
            weight,
            summary: what.to_string(),
        }));
    }
}

/// When traffic is fully back on a good version after a detected failure: the machine is over
/// and no router command is left to carry out. `None` when that is not now or already known.
fn recovered(record: &DeploymentRecord, progress: &Progress, now: i64) -> Option<i64> {
    let failed = matches!(record.phase, DeployPhase::RolledBack | DeployPhase::Failed);
    (failed
        && record.detected_at.is_some()
        && record.recovered_at.is_none()
        && progress.machine.phase.is_over()
        && progress.pending.is_empty())
    .then_some(now)
}

/// What a rollback did.
#[derive(Debug, Clone)]
pub enum RollbackDone {
    /// The canary in progress was rolled back.
    Canary(Box<DeploymentRecord>),
    /// The service serves an earlier version again.
    Serving {
        from: ServingVersion,
        to: ServingVersion,
    },
}

impl Service {
    /// Audit entries, oldest first.
    pub async fn audit(
        &self,
        filter: &crate::store::AuditFilter,
    ) -> Result<Vec<gate_audit::Entry>, ServiceError> {
        Ok(self.store.audit(filter).await?)
    }

    /// The whole chain checked, and how many entries it has.
    pub async fn verify_audit(
        &self,
    ) -> Result<(Result<gate_audit::Verified, gate_audit::Broken>, u64), ServiceError> {
        let chain = self.store.audit_chain().await?;
        let count = chain.len() as u64;
        Ok((gate_audit::verify(&chain), count))
    }

    /// The deployment's timeline as Markdown.
    pub async fn postmortem(&self, id: &str) -> Result<String, ServiceError> {
        let (record, log) = self.deployment(id).await?;
        let entries = self
            .store
            .audit(&crate::store::AuditFilter {
                deployment: Some(id.to_string()),
                ..Default::default()
            })
            .await?;
        Ok(crate::views::postmortem::postmortem(
            &record, &log, &entries,
        ))
    }
}
