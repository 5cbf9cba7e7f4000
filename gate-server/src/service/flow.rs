//! The release flow: the stages declared in `[release]` (or, without it, the ones gate runs)
//! filled in from the configuration, their history read from the store (runs, deployments,
//! the digest outbox, recorded performances), and recording that a person performed a manual
//! stage for a release (audited). The figures and risks are `gate_flow`'s.

use gate_audit::{Action, NewEntry};
use gate_flow::{Automated, Flow, FlowReport, History, Occurrence, Performance, StageKind};
use gate_wire as wire;

use super::{Service, ServiceError};
use crate::auth::Principal;
use crate::config::{ServerConfig, is_version_name};
use crate::model::{DeployPhase, RunState};
use crate::store::{GIVEN_UP, StagePerformance, new_id, now_ms};

const DAY_MS: i64 = 86_400_000;

impl Service {
    /// The flow with each stage's figures over the window and the risks found.
    pub async fn flow(&self) -> Result<FlowReport, ServiceError> {
        let release = self.config.release.as_ref();
        let recent = release.map_or(gate_flow::RECENT_RELEASES, |r| r.recent_releases);
        let flow = Flow::new(
            release.map(|r| r.stages.as_slice()),
            &automated(&self.config),
        );
        let history = self.flow_history(recent).await?;
        Ok(gate_flow::report(flow, &history, recent))
    }

    async fn flow_history(&self, recent: u32) -> Result<History, ServiceError> {
        let now = now_ms();
        let since = now - gate_flow::WINDOW_DAYS * DAY_MS;
        let gate = self
            .store
            .run_facts(since, now + 1)
            .await?
            .into_iter()
            .filter(|r| r.state.is_final() && r.state != RunState::Cancelled)
            .map(|r| Occurrence {
                at_ms: r.submitted_at,
                duration_ms: r
                    .finished_at
                    .map(|end| end - r.started_at.unwrap_or(r.submitted_at)),
                failed: matches!(r.state, RunState::Failed | RunState::Error),
            })
            .collect();
        let deployments = self.store.deployments_finished(since, now + 1).await?;
        let canary = deployments
            .iter()
            .filter_map(|d| {
                let exposed = d.exposed_at?;
                Some(Occurrence {
                    at_ms: exposed,
                    duration_ms: d.finished_at.map(|end| end - exposed),
                    failed: d.phase != DeployPhase::Promoted,
                })
            })
            .collect();
        let promotion = deployments
            .iter()
            .filter(|d| d.phase == DeployPhase::Promoted)
            .map(|d| Occurrence {
                at_ms: d.created_at,
                duration_ms: d.finished_at.map(|end| end - d.created_at),
                // Reverted after it went to all traffic.
                failed: d.detected_at.is_some(),
            })
            .collect();
        let digest = self
            .store
            .digests(1000)
            .await?
            .into_iter()
            .filter(|d| d.created_at >= since)
            .map(|d| Occurrence {
                at_ms: d.created_at,
                duration_ms: d.delivered_at.map(|at| at - d.created_at),
                failed: d.delivered_at.is_none() && d.next_attempt_at == GIVEN_UP,
            })
            .collect();
        let performances = self
            .store
            .performances()
            .await?
            .into_iter()
            .map(|p| Performance {
                stage: p.stage,
                release: p.release,
                by: p.performed_by,
                at_ms: p.at_ms,
                duration_ms: p.duration_ms,
                note: p.note,
            })
            .collect();
        Ok(History {
            now_ms: now,
            gate,
            canary,
            promotion,
            digest,
            performances,
            releases: self.store.releases(recent).await?,
        })
    }

    /// Records that `done.by` (default: the caller) performed the manual stage `stage` for
    /// `done.release`, with an audit entry in the same transaction.
    pub async fn record_stage_done(
        &self,
        stage: &str,
        done: wire::StageDone,
        who: &Principal,
    ) -> Result<StagePerformance, ServiceError> {
        let manual: Vec<&str> = self
            .config
            .release
            .iter()
            .flat_map(|r| &r.stages)
            .filter(|s| s.kind == StageKind::Manual && !s.automated_by_gate)
            .map(|s| s.name.as_str())
            .collect();
        if !manual.contains(&stage) {
            let declared = self
                .config
                .release
                .iter()
                .flat_map(|r| &r.stages)
                .find(|s| s.name == stage);
            let why = match declared {
                Some(_) => format!("`{stage}` is done by gate: only manual stages are recorded"),
                None => format!("no manual stage `{stage}` in [release]"),
            };
            let known = match manual.is_empty() {
                true => "this server declares none: add [[release.stages]] with kind = \"manual\" to its gate.toml".to_string(),
                false => format!("the manual stages are {}", manual.join(", ")),
            };
            return Err(ServiceError::invalid("stage", format!("{why}; {known}")));
        }
        if !is_version_name(&done.release) {
            return Err(ServiceError::invalid(
                "release",
                "the release is a version label of letters, digits, `.`, `_` and `-`, as deployments name it (e.g. 1.4.2)",
            ));
        }
        let by = match done.by.as_deref().map(str::trim) {
            None => who.name.clone(),
            Some(by) if !by.is_empty() && by.chars().count() <= 100 => by.to_string(),
            Some(_) => {
                return Err(ServiceError::invalid(
                    "by",
                    "name who performed it (1 to 100 characters), or leave it out for the token's name",
                ));
            }
        };
        let note = done.note.filter(|n| !n.trim().is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            return Err(ServiceError::invalid(
                "note",
                "a note is at most 2000 characters",
            ));
        }
        let duration_ms = match done.took_seconds {
            None => None,
            Some(s) if (0.0..1e9).contains(&s) => Some((s * 1000.0).round() as i64),
            Some(_) => {
                return Err(ServiceError::invalid(
                    "took_seconds",
                    "how long it took, in seconds: a number from 0",
                ));
            }
        };
        let at = now_ms();
        let performance = StagePerformance {
            id: new_id(),
            stage: stage.to_string(),
            release: done.release.clone(),
            performed_by: by.clone(),
            recorded_by: who.name.clone(),
            note: note.clone(),
            duration_ms,
            at_ms: at,
        };
        let reason = match &note {
            Some(note) => format!("`{stage}` performed by {by}: {note}"),
            None => format!("`{stage}` performed by {by}"),
        };
        let entry = NewEntry {
            to_version: Some(done.release),
            reason: Some(reason),
            ..NewEntry::new(at, &who.name, Action::StagePerformed)
        };
        self.store.record_performance(&performance, &entry).await?;
        Ok(performance)
    }
}

/// What gate's configuration says about the stages gate runs.
fn automated(config: &ServerConfig) -> Automated {
    let paths = config.scenarios.len();
    let mut gate = vec![format!(
        "{paths} scenario path{}",
        if paths == 1 { "" } else { "s" }
    )];
    gate.push(match &config.publish {
        Some(p) => format!(
            "required check: commit status `{}` on {}",
            p.context, p.repository
        ),
        None => {
            "verdicts per commit at /api/v1/commits/{sha}/status (no [publish]: no commit status)"
                .into()
        }
    });
    let services = &config.services;
    let canary = (!services.is_empty()).then(|| {
        services
            .iter()
            .map(|s| {
                let steps: Vec<String> = crate::config::canary::policy(&s.canary)
                    .steps
                    .iter()
                    .map(|step| match (step.weight, step.hold) {
                        (100, _) => "100%".to_string(),
                        (w, Some(hold)) => format!("{w}% for {}", humantime::format_duration(hold)),
                        (w, None) => format!("{w}% until a person moves it on"),
                    })
                    .collect();
                format!("{}: {}", s.name, steps.join(", "))
            })
            .collect()
    });
    let promotion = (!services.is_empty()).then(|| {
        services
            .iter()
            .map(|s| {
                let rollback = match s.hooks.rollback {
                    Some(_) => "a rollback hook",
                    None => "no rollback hook",
                };
                format!("{}: all traffic after the last step; {rollback}", s.name)
            })
            .collect()
    });
    let digest = config.digest.as_ref().map(|d| {
        let channels = d.channels();
        vec![format!(
            "{} {} to {}",
            d.schedule,
            d.time_zone_name,
            if channels.is_empty() {
                "no channel".to_string()
            } else {
                channels.join(", ")
            }
        )]
    });
    Automated {
        gate,
        canary,
        promotion,
        digest,
    }
}
