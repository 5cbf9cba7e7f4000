//! Deployments, services and the audit log as the API shows them.

use gate_deploy::{CanaryPolicy, Judgement, Phase};
use gate_wire as wire;

use super::{deploy_phase, encode_path, rfc3339};
use crate::rollout::progress::Progress;
use crate::store::{DeploymentRecord, LogLine, ServingVersion};

/// The canary's share of traffic now, from the stored progress.
pub fn weight(record: &DeploymentRecord) -> u8 {
    match Progress::from_json(&record.machine) {
        Ok(p) => match p.machine.phase {
            Phase::Promoted => 100,
            Phase::Canary { .. } => p.weight,
            _ => 0,
        },
        Err(_) => 0,
    }
}

fn counts(c: &gate_deploy::Counts) -> wire::TrafficCounts {
    wire::TrafficCounts {
        requests: c.requests,
        errors: c.errors,
        error_rate: (c.requests > 0).then(|| c.errors as f64 / c.requests as f64),
        p95_ms: c.p95_ms,
    }
}

fn judgement_name(j: &Judgement) -> &'static str {
    match j {
        Judgement::Failing(_) => "failing",
        Judgement::Healthy(_) => "healthy",
        Judgement::Inconclusive(_) => "inconclusive",
    }
}

/// A deployment under `base` (the public URL, or `""` for the pages); `log` with its log.
pub fn deployment_view(
    base: &str,
    record: &DeploymentRecord,
    log: &[LogLine],
) -> wire::DeploymentView {
    let progress = Progress::from_json(&record.machine).ok();
    let policy: Option<CanaryPolicy> = serde_json::from_str(&record.policy).ok();
    let decision = progress
        .as_ref()
        .and_then(|p| p.decision.as_ref())
        .map(|d| wire::Decision {
            judgement: judgement_name(&d.judgement).to_string(),
            summary: d.judgement.summary(),
            canary: counts(&d.window.canary),
            stable: counts(&d.window.stable),
            at_ms: d.at,
        });
    wire::DeploymentView {
        config_commit: record.config_commit.clone(),
        id: record.id.clone(),
        service: record.service.clone(),
        version: record.version.clone(),
        commit: record.commit.clone(),
        url: record.url.clone(),
        from_version: record.from.as_ref().map(|f| f.version.clone()),
        phase: deploy_phase(record.phase),
        step: record.step,
        weight: weight(record),
        plan: policy
            .map(|p| {
                p.steps
                    .iter()
                    .map(|s| wire::PlannedStep {
                        weight: s.weight,
                        hold_ms: s.hold.map(|h| h.as_millis() as u64),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        step_started_at: progress
            .as_ref()
            .filter(|p| matches!(p.machine.phase, Phase::Canary { .. }))
            .map(|p| rfc3339(p.machine.since)),
        held: progress
            .as_ref()
            .is_some_and(|p| matches!(p.machine.phase, Phase::Canary { held: true, .. })),
        decision,
        actor: record.actor.clone(),
        reason: record.reason.clone(),
        forced: record.forced,
        created_at: rfc3339(record.created_at),
        updated_at: rfc3339(record.updated_at),
        finished_at: record.finished_at.map(rfc3339),
        hotfix: record.hotfix,
        commits: record.carries.clone(),
        detected_at: record.detected_at.map(rfc3339),
        recovered_at: record.recovered_at.map(rfc3339),
        log: log
            .iter()
            .map(|l| wire::LogLine {
                at: rfc3339(l.at),
                kind: l.kind.as_str().to_string(),
                text: l.text.clone(),
            })
            .collect(),
        html: format!("{base}/deployments/{}", encode_path(&record.id)),
    }
}

pub fn service_view(
    name: &str,
    router: &str,
    serving: Option<&ServingVersion>,
    deployment: Option<&DeploymentRecord>,
) -> wire::ServiceView {
    wire::ServiceView {
        name: name.to_string(),
        version: serving.map(|s| s.version.clone()),
        url: serving.map(|s| s.url.clone()),
        commit: serving.and_then(|s| s.commit.clone()),
        deployment: deployment.map(|d| d.id.clone()),
        router: router.to_string(),
    }
}

pub fn audit_entry(e: &gate_audit::Entry) -> wire::AuditEntry {
    let c = &e.content;
    wire::AuditEntry {
        seq: e.seq,
        at: rfc3339(c.at_ms),
        actor: c.actor.clone(),
        action: c.action.as_str().to_string(),
        service: c.service.clone(),
        from_version: c.from_version.clone(),
        to_version: c.to_version.clone(),
        commit: c.commit.clone(),
        deployment: c.deployment.clone(),
        reason: c.reason.clone(),
        config_commit: c.config.clone(),
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    }
}

pub fn verification(
    result: &Result<gate_audit::Verified, gate_audit::Broken>,
    entries: u64,
) -> wire::AuditVerification {
    match result {
        Ok(v) => wire::AuditVerification {
            ok: true,
            entries: v.entries,
            head: v.head.clone(),
            broken_at: None,
            problem: None,
        },
        Err(b) => wire::AuditVerification {
            ok: false,
            entries,
            head: String::new(),
            broken_at: Some(b.seq),
            problem: Some(b.problem.clone()),
        },
    }
}
